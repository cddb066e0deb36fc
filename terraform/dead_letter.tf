# Events that still fail land here instead of being dropped. trigger = "direct": after Lambda's
# asynchronous retries (on-failure destination, with the request, the error and the S3 event).
# trigger = "sqs": after max_receive_count receives (the events queue's redrive policy).

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.lambda_function_name}-dead-letters"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_lambda_function_event_invoke_config" "this" {
  # Asynchronous invocations exist only in direct mode; the SQS mapping invokes synchronously.
  count = 1 - local.sqs

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letter.arn
    }
  }

  # Lambda checks that the role may send to the destination when this is created.
  depends_on = [aws_iam_role_policy.this]
}
