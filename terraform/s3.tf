################################################################################
# Input bucket: private, encrypted, TLS only
################################################################################

resource "aws_s3_bucket" "input" {
  bucket        = var.input_bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "input" {
  bucket = aws_s3_bucket.input.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "input" {
  bucket = aws_s3_bucket.input.id
  policy = data.aws_iam_policy_document.input_bucket.json

  # S3 rejects a bucket policy while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.input]
}

data "aws_iam_policy_document" "input_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.input.arn, "${aws_s3_bucket.input.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

################################################################################
# Output bucket: publicly readable objects when public_output, else private
################################################################################

resource "aws_s3_bucket" "output" {
  bucket        = var.output_bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags

  lifecycle {
    # Writing into the input bucket would trigger the function on its own output, forever.
    precondition {
      condition     = var.input_bucket_name != var.output_bucket_name
      error_message = "input_bucket_name and output_bucket_name must differ: the function would trigger itself on every image it writes."
    }

    # Anonymous readers cannot decrypt SSE-KMS objects, so "public" would be public in name only.
    precondition {
      condition     = !(var.public_output && var.kms_key_arn != null)
      error_message = "public_output = true cannot be combined with kms_key_arn: anonymous readers cannot decrypt SSE-KMS objects. Set public_output = false or kms_key_arn = null."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "output" {
  bucket = aws_s3_bucket.output.id

  # ACLs stay blocked either way (ownership is BucketOwnerEnforced); public_output only lets the
  # public-read bucket policy below take effect.
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = !var.public_output
  restrict_public_buckets = !var.public_output
}

resource "aws_s3_bucket_policy" "output" {
  bucket = aws_s3_bucket.output.id
  policy = data.aws_iam_policy_document.output_bucket.json

  # A public policy is refused until the public access block allows it.
  depends_on = [aws_s3_bucket_public_access_block.output]
}

data "aws_iam_policy_document" "output_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.output.arn, "${aws_s3_bucket.output.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = var.public_output ? ["PublicReadOutputs"] : []

    content {
      sid       = statement.value
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.output.arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }
    }
  }
}

################################################################################
# Settings shared by both buckets
################################################################################

locals {
  buckets = {
    input  = aws_s3_bucket.input.id
    output = aws_s3_bucket.output.id
  }

  expiry_days = {
    input  = var.input_expiry_days
    output = var.output_expiry_days
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = each.value

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # S3 Bucket Keys cut the KMS request cost; they do nothing for AES256.
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  # A for expression, not `var.versioning ? local.buckets : {}`: the two branches of a
  # conditional must have the same object type.
  for_each = { for name, id in local.buckets : name => id if var.versioning }

  bucket = each.value

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = { for name, days in local.expiry_days : name => days if days > 0 }

  bucket = local.buckets[each.key]

  rule {
    id     = "expire-after-${each.value}-days"
    status = "Enabled"

    filter {}

    expiration {
      days = each.value
    }

    # With versioning on, expiry only adds a delete marker; this removes the old bytes too.
    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
