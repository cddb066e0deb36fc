data "aws_caller_identity" "current" {}

resource "aws_lambda_function" "this" {
  function_name = var.lambda_function_name
  description   = "imgpipe: resize images uploaded to ${var.input_bucket_name} into ${var.output_bucket_name}"
  role          = aws_iam_role.this.arn

  # The C++ custom runtime: the zip holds an executable named bootstrap at its root.
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = var.architectures

  # make package writes the zip before terraform runs, so the hash is known at the first plan
  # (the tutorial hashed a zip that only existed after apply). The precondition below turns a
  # missing zip into a clear message instead of a function-call error.
  filename         = var.lambda_zip_path
  source_code_hash = fileexists(var.lambda_zip_path) ? filebase64sha256(var.lambda_zip_path) : null

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency

  # Exactly the names the binary reads (bootstrap --list-env); terraform/tests checks the two match.
  environment {
    variables = {
      INPUT_BUCKET             = aws_s3_bucket.input.id
      INPUT_PREFIX             = var.filter_prefix
      OUTPUT_BUCKET            = aws_s3_bucket.output.id
      OUTPUT_PREFIX            = var.output_prefix
      NEW_IMAGE_SIZE           = jsonencode(var.new_image_size)
      FIT                      = var.fit
      OUTPUT_FORMAT            = var.output_format
      QUALITY                  = tostring(var.quality)
      GRAYSCALE                = tostring(var.grayscale)
      BACKGROUND               = var.background
      WITHOUT_ENLARGEMENT      = tostring(var.without_enlargement)
      MAX_INPUT_BYTES          = tostring(var.max_input_bytes)
      MAX_INPUT_PIXELS         = tostring(var.max_input_pixels)
      MAX_PROGRESSIVE_PIXELS   = tostring(var.max_progressive_pixels)
      MAX_INTERLACED_PIXELS    = tostring(var.max_interlaced_pixels)
      MAX_LOSSLESS_WEBP_PIXELS = tostring(var.max_lossless_webp_pixels)
      CACHE_CONTROL            = var.cache_control
      VARIANTS                 = local.variants_json
      KEEP_EXTENSION           = tostring(var.keep_extension)
      SHRINK_ON_LOAD           = var.shrink_on_load
      # "" takes the binary's default, so the default lives in one place (src/lambda/config.cc).
      CONCURRENCY = var.concurrency == null ? "" : tostring(var.concurrency)
    }
  }

  logging_config {
    log_format = "JSON"
    # Naming our own group makes Lambda log there (with our retention), never into a group it
    # would create itself with infinite retention.
    log_group = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip_path)
      error_message = "The deployment package ${var.lambda_zip_path} does not exist: run `make package` at the repository root first."
    }

    # make package writes the zip's instruction set next to it (<zip>.arch); an x86_64 zip on an
    # arm64 function would fail at its first invocation, so the plan fails instead.
    precondition {
      condition     = try(trimspace(file("${var.lambda_zip_path}.arch")), "") == var.architectures[0]
      error_message = "The deployment package ${var.lambda_zip_path} was built for ${try(trimspace(file("${var.lambda_zip_path}.arch")), "an unknown architecture (no ${var.lambda_zip_path}.arch)")}, but architectures = ${jsonencode(var.architectures)}: run `make package` (x86_64) or `make package ARCH=arm64`, and point lambda_zip_path at the matching zip."
    }
  }

  # The first invocations must already be allowed to read, write and log.
  depends_on = [aws_iam_role_policy.this]
}
