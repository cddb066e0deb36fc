# The tutorial's variable names, so that its users can migrate; the module validates the values.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "input_bucket_name" {
  description = "Name of the new bucket that receives the original images (globally unique)."
  type        = string
}

variable "output_bucket_name" {
  description = "Name of the new bucket the resized images are written to (globally unique, different from input_bucket_name)."
  type        = string
}

variable "lambda_function_name" {
  description = "Name of the Lambda function; the role, policy, log group and dead-letter queue are named from it."
  type        = string
  default     = "imgpipe"
}

variable "new_image_size" {
  description = "Target [width, height] in pixels."
  type        = list(number)
  default     = [256, 256]
}

variable "force_destroy" {
  description = "Let terraform destroy delete buckets that still hold images."
  type        = bool
  default     = false
}

variable "architectures" {
  description = "[\"x86_64\"] deploys dist/lambda.zip, [\"arm64\"] dist/lambda-arm64.zip (20% cheaper per GB-second)."
  type        = list(string)
  default     = ["x86_64"]
}
