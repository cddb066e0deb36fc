# enable_batch_operations: a role for S3 Batch Operations, which runs the function over objects
# that were in the input bucket before the notification existed (backfill, see README.md). It may
# invoke this function only, read the manifests and write the completion reports.

locals {
  batch_operations = var.enable_batch_operations ? 1 : 0
  batch_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${coalesce(var.batch_operations_bucket_name, "unset")}"
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "batch_operations_assume" {
  count = local.batch_operations

  statement {
    sid     = "BatchOperationsAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["batchoperations.s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "batch_operations" {
  count = local.batch_operations

  name               = "${var.lambda_function_name}-batch"
  description        = "S3 Batch Operations role that backfills ${var.input_bucket_name} with ${var.lambda_function_name}"
  assume_role_policy = data.aws_iam_policy_document.batch_operations_assume[0].json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = var.batch_operations_bucket_name != null
      error_message = "enable_batch_operations = true needs batch_operations_bucket_name: the bucket that holds the manifests and receives the completion reports."
    }
  }
}

data "aws_iam_policy_document" "batch_operations" {
  count = local.batch_operations

  statement {
    sid       = "InvokeThisFunction"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn]
  }

  statement {
    sid       = "ReadManifests"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.batch_bucket_arn}/manifests/*"]
  }

  statement {
    sid       = "WriteReports"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${local.batch_bucket_arn}/reports/*"]
  }
}

resource "aws_iam_role_policy" "batch_operations" {
  count = local.batch_operations

  name   = "${var.lambda_function_name}-batch-policy"
  role   = aws_iam_role.batch_operations[0].id
  policy = data.aws_iam_policy_document.batch_operations[0].json
}
