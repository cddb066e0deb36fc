output "input_bucket_name" {
  description = "Upload images here: aws s3 cp photo.jpg s3://<input_bucket_name>/"
  value       = module.imgpipe.input_bucket_name
}

output "output_bucket_name" {
  description = "The resized images appear here under the same key, with the output format's extension."
  value       = module.imgpipe.output_bucket_name
}

output "output_bucket_public_url_prefix" {
  description = "Public HTTPS URL prefix of the resized images."
  value       = module.imgpipe.output_bucket_public_url_prefix
}

output "lambda_function_name" {
  description = "Name of the Lambda function."
  value       = module.imgpipe.lambda_function_name
}

output "cloudwatch_log_group_name" {
  description = "Log group of the function: aws logs tail <name> --follow"
  value       = module.imgpipe.cloudwatch_log_group_name
}

output "dead_letter_queue_url" {
  description = "SQS queue of events that failed after the retries."
  value       = module.imgpipe.dead_letter_queue_url
}
