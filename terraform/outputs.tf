output "input_bucket_name" {
  description = "Name of the input bucket: upload images here."
  value       = aws_s3_bucket.input.id
}

output "input_bucket_arn" {
  description = "ARN of the input bucket."
  value       = aws_s3_bucket.input.arn
}

output "output_bucket_name" {
  description = "Name of the output bucket the resized images are written to."
  value       = aws_s3_bucket.output.id
}

output "output_bucket_arn" {
  description = "ARN of the output bucket."
  value       = aws_s3_bucket.output.arn
}

output "output_bucket_public_url_prefix" {
  description = "HTTPS URL that an output key is appended to: the bucket's with output_access = public_bucket, the distribution's with cloudfront; null when the outputs are private."
  value       = local.output_url_origin != null ? "${local.output_url_origin}${var.output_prefix}" : null
}

output "variant_url_prefixes" {
  description = "For each variant, the HTTPS URL prefix its outputs are read from (key without extension and the format's extension are appended); null values when the outputs are private, and an empty map without variants."
  value       = { for name, prefix in local.variant_key_prefixes : name => local.output_url_origin != null ? "${local.output_url_origin}${prefix}" : null }
}

output "cloudfront_distribution_domain_name" {
  description = "Domain name of the CloudFront distribution serving the outputs (output_access = cloudfront); null otherwise."
  value       = one(aws_cloudfront_distribution.output[*].domain_name)
}

output "cloudfront_url_example" {
  description = "URL of the thumbnail of an upload named photos/cat.jpg, through CloudFront (output_access = cloudfront); null otherwise."
  value       = local.cloudfront == 1 ? "https://${one(aws_cloudfront_distribution.output[*].domain_name)}/${var.output_prefix}photos/cat.${local.output_extension}" : null
}

output "event_queue_url" {
  description = "URL of the SQS queue S3 sends upload events to (trigger = sqs); null in direct mode."
  value       = one(aws_sqs_queue.events[*].url)
}

output "event_queue_arn" {
  description = "ARN of the SQS queue S3 sends upload events to (trigger = sqs); null in direct mode."
  value       = one(aws_sqs_queue.events[*].arn)
}

output "batch_operations_role_arn" {
  description = "ARN of the role to pass to aws s3control create-job --role-arn (enable_batch_operations = true); null otherwise."
  value       = one(aws_iam_role.batch_operations[*].arn)
}

output "lambda_function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "lambda_function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "iam_role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "cloudwatch_log_group_name" {
  description = "Log group of the function (read it with aws logs tail)."
  value       = aws_cloudwatch_log_group.this.name
}

output "dead_letter_queue_url" {
  description = "URL of the SQS queue that receives events still failing after the retries (direct) or after max_receive_count receives (sqs)."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter SQS queue."
  value       = aws_sqs_queue.dead_letter.arn
}
