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
  description = "HTTPS URL that an output key is appended to when public_output = true; null when the output bucket is private."
  value       = var.public_output ? "https://${aws_s3_bucket.output.bucket_regional_domain_name}/${var.output_prefix}" : null
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
  description = "URL of the SQS queue that receives events still failing after the retries."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter SQS queue."
  value       = aws_sqs_queue.dead_letter.arn
}
