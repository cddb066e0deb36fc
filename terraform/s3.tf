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
  policy = data.aws_iam_policy_document.bucket["input"].json

  # S3 rejects a bucket policy while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.input]
}

################################################################################
# Output bucket: private, readable by everyone (public_bucket) or through CloudFront only
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
      condition     = local.output_access == "private" || var.kms_key_arn == null
      error_message = "output_access = ${local.output_access} cannot be combined with kms_key_arn: anonymous readers and CloudFront (without a key policy this module does not manage) cannot decrypt SSE-KMS objects. Use output_access = \"private\" or kms_key_arn = null."
    }

    # The deprecated alias and its replacement must not contradict each other.
    precondition {
      condition     = var.public_output == null || var.output_access == null || local.output_access_from_alias == var.output_access
      error_message = "public_output = ${jsonencode(var.public_output)} contradicts output_access = ${jsonencode(var.output_access)}: drop public_output (deprecated) and keep output_access."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "output" {
  bucket = aws_s3_bucket.output.id

  # ACLs stay blocked either way (ownership is BucketOwnerEnforced); public_bucket only lets the
  # public-read bucket policy above take effect. CloudFront's grant names a service, not "*".
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = local.output_access != "public_bucket"
  restrict_public_buckets = local.output_access != "public_bucket"
}

resource "aws_s3_bucket_policy" "output" {
  bucket = aws_s3_bucket.output.id
  policy = data.aws_iam_policy_document.bucket["output"].json

  # A public policy is refused until the public access block allows it.
  depends_on = [aws_s3_bucket_public_access_block.output]
}

# One document per bucket, written once: TLS only on both, plus the read grant that
# output_access asks for on the output bucket.
data "aws_iam_policy_document" "bucket" {
  for_each = local.bucket_arns

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]

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
    for_each = each.key == "output" && local.output_access == "public_bucket" ? ["PublicReadOutputs"] : []

    content {
      sid       = statement.value
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${each.value}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }
    }
  }

  # Origin Access Control: CloudFront signs its requests as the service, and the condition
  # limits the grant to this module's distribution.
  dynamic "statement" {
    for_each = each.key == "output" && local.output_access == "cloudfront" ? ["CloudFrontReadOutputs"] : []

    content {
      sid       = statement.value
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${each.value}/*"]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.output[0].arn]
      }
    }
  }
}

################################################################################
# Settings shared by both buckets
################################################################################

locals {
  # public_output is the deprecated alias: true meant a public bucket, false a private one.
  output_access_from_alias = var.public_output == null ? null : (var.public_output ? "public_bucket" : "private")
  output_access            = coalesce(var.output_access, local.output_access_from_alias, "private")

  bucket_arns = {
    input  = aws_s3_bucket.input.arn
    output = aws_s3_bucket.output.arn
  }

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

# A warning, not an error, so that existing configurations keep planning while they migrate.
check "public_output_deprecated" {
  assert {
    condition     = var.public_output == null
    error_message = "public_output is deprecated: set output_access = \"${local.output_access}\" instead (public_bucket for true, private for false; cloudfront is what AWS recommends for public images)."
  }
}
