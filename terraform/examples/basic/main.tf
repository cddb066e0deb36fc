provider "aws" {
  region = var.region
}

module "imgpipe" {
  source = "../.."

  input_bucket_name    = var.input_bucket_name
  output_bucket_name   = var.output_bucket_name
  lambda_function_name = var.lambda_function_name
  new_image_size       = var.new_image_size
  force_destroy        = var.force_destroy

  # Written by `make package` (x86_64) or `make package ARCH=arm64` at the repository root,
  # before terraform runs; the module checks the zip's recorded architecture against this.
  architectures   = var.architectures
  lambda_zip_path = "${path.module}/../../../dist/${var.architectures[0] == "arm64" ? "lambda-arm64.zip" : "lambda.zip"}"
}
