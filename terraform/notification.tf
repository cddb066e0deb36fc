locals {
  # Every extension the core decodes, in lower and upper case: S3 suffix filters are
  # case-sensitive, and cameras write IMG_0001.JPG (iPhones IMG_0001.HEIC). The core's format
  # table (src/core/formats.cc) is the source; tests/core/formats_test.cc checks this list.
  image_suffixes = [
    ".jpg", ".JPG",
    ".jpeg", ".JPEG",
    ".png", ".PNG",
    ".webp", ".WEBP",
    ".gif", ".GIF",
    ".heic", ".HEIC",
    ".heif", ".HEIF",
    ".avif", ".AVIF",
  ]
}

resource "aws_lambda_permission" "s3_invoke" {
  count = 1 - local.sqs

  statement_id  = "AllowInvokeFromInputBucket"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "s3.amazonaws.com"
  # Both: a bucket ARN names no account, and bucket names can be re-registered by others.
  source_arn     = aws_s3_bucket.input.arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket_notification" "input" {
  bucket = aws_s3_bucket.input.id

  dynamic "lambda_function" {
    for_each = var.trigger == "direct" ? local.image_suffixes : []

    content {
      id                  = "imgpipe${lambda_function.value}"
      lambda_function_arn = aws_lambda_function.this.arn
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = var.filter_prefix == "" ? null : var.filter_prefix
      filter_suffix       = lambda_function.value
    }
  }

  dynamic "queue" {
    for_each = var.trigger == "sqs" ? local.image_suffixes : []

    content {
      id            = "imgpipe${queue.value}"
      queue_arn     = aws_sqs_queue.events[0].arn
      events        = ["s3:ObjectCreated:*"]
      filter_prefix = var.filter_prefix == "" ? null : var.filter_prefix
      filter_suffix = queue.value
    }
  }

  # S3 tests that it may invoke the function, or send to the queue, when the notification is saved.
  depends_on = [aws_lambda_permission.s3_invoke, aws_sqs_queue_policy.events]
}
