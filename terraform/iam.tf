# One role per function, with an inline least-privilege policy named from the function name, so
# that two deployments can share an account. No managed policy is attached.

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.lambda_function_name}-role"
  description        = "Execution role of the imgpipe function ${var.lambda_function_name}"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid    = "ReadInputImages"
    effect = "Allow"
    # GetObjectVersion: the function reads the exact version an event names (versionId) when the
    # input bucket is versioned; without it those reads are refused with 403.
    actions = ["s3:GetObject", "s3:GetObjectVersion"]
    # Only keys that can trigger the function.
    resources = ["${aws_s3_bucket.input.arn}/${var.filter_prefix}*"]
  }

  statement {
    sid       = "WriteOutputImages"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = [for prefix in local.output_key_prefixes : "${aws_s3_bucket.output.arn}/${prefix}*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # direct: Lambda sends the failed asynchronous event to the dead-letter queue as the role.
  dynamic "statement" {
    for_each = var.trigger == "direct" ? [aws_sqs_queue.dead_letter.arn] : []

    content {
      sid       = "SendDeadLetters"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  # sqs: the event source mapping polls and deletes as the role; SQS itself redrives.
  dynamic "statement" {
    for_each = aws_sqs_queue.events[*].arn

    content {
      sid       = "ConsumeEventQueue"
      effect    = "Allow"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources = [statement.value]
    }
  }

  # SSE-KMS needs the key to read originals and to write outputs.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "UseBucketKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.lambda_function_name}-policy"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.lambda.json
}
