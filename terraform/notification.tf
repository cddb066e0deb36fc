locals {
  # Every extension the core decodes, in lower and upper case: S3 suffix filters are
  # case-sensitive, and cameras write IMG_0001.JPG.
  image_suffixes = [
    ".jpg", ".JPG",
    ".jpeg", ".JPEG",
    ".png", ".PNG",
    ".webp", ".WEBP",
    ".gif", ".GIF",
  ]
}

resource "aws_lambda_permission" "s3_invoke" {
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
    for_each = local.image_suffixes

    content {
      id                  = "imgpipe${lambda_function.value}"
      lambda_function_arn = aws_lambda_function.this.arn
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = var.filter_prefix == "" ? null : var.filter_prefix
      filter_suffix       = lambda_function.value
    }
  }

  # S3 tests the invoke permission when the notification is saved.
  depends_on = [aws_lambda_permission.s3_invoke]
}
