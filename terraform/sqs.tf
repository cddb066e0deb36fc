# trigger = "sqs": S3 → SQS → Lambda. The queue absorbs bursts, the event source mapping caps the
# concurrency, and the function answers batchItemFailures so that only the failed messages come
# back; after max_receive_count receives SQS moves a message to the dead-letter queue.

locals {
  sqs = var.trigger == "sqs" ? 1 : 0
}

resource "aws_sqs_queue" "events" {
  count = local.sqs

  name                    = "${var.lambda_function_name}-events"
  sqs_managed_sse_enabled = true
  # AWS asks for at least 6 times the function timeout, so that a batch still being retried by
  # the mapping is not handed out again; the batching window adds to the time a message waits.
  visibility_timeout_seconds = 6 * var.timeout + var.maximum_batching_window_in_seconds
  tags                       = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}

data "aws_iam_policy_document" "events_queue" {
  count = local.sqs

  statement {
    sid       = "InputBucketSends"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events[0].arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    # Both: a bucket ARN names no account, and bucket names can be re-registered by others.
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.input.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "events" {
  count = local.sqs

  queue_url = aws_sqs_queue.events[0].id
  policy    = data.aws_iam_policy_document.events_queue[0].json
}

resource "aws_lambda_event_source_mapping" "events" {
  count = local.sqs

  event_source_arn                   = aws_sqs_queue.events[0].arn
  function_name                      = aws_lambda_function.this.arn
  function_response_types            = ["ReportBatchItemFailures"]
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  lifecycle {
    # Lambda refuses a batch above 10 without a batching window.
    precondition {
      condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
      error_message = "batch_size = ${var.batch_size} needs maximum_batching_window_in_seconds >= 1 (Lambda refuses SQS batches above 10 without a window)."
    }
  }

  # The mapping checks at creation that the role may receive from the queue.
  depends_on = [aws_iam_role_policy.this]
}
