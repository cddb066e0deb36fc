# trigger = "sqs": S3 → SQS → Lambda, with per-message failures and a redrive to the dead-letter
# queue. The direct-mode invoke permission and the asynchronous retry config are not created.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias  = "apply"
  source = "./tests/mocks"
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
  trigger            = "sqs"
  timeout            = 40
}

run "queue" {
  command = plan

  assert {
    condition = (
      aws_sqs_queue.events[0].sqs_managed_sse_enabled &&
      aws_sqs_queue.events[0].visibility_timeout_seconds >= 6 * var.timeout &&
      jsondecode(aws_sqs_queue.events[0].redrive_policy) == {
        deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dead-letters"
        maxReceiveCount     = 3
      }
    )
    error_message = "The event queue is encrypted, hides a message at least 6x the function timeout and redrives to the dead-letter queue after 3 receives."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.events_queue[0].statement : {
        effect     = s.effect, actions = s.actions, resources = s.resources, principals = s.principals
        conditions = { for c in s.condition : c.variable => [c.test, c.values] }
      }
      ]) == jsonencode([{
        effect     = "Allow", actions = ["sqs:SendMessage"]
        resources  = ["arn:aws:sqs:us-east-1:123456789012:imgpipe-events"]
        principals = [{ identifiers = ["s3.amazonaws.com"], type = "Service" }]
        conditions = {
          "aws:SourceAccount" = ["StringEquals", ["123456789012"]]
          "aws:SourceArn"     = ["ArnEquals", ["arn:aws:s3:::imgpipe-test-input"]]
        }
    }])
    error_message = "Only s3.amazonaws.com may send to the queue, from the input bucket of this account."
  }
}

run "mapping" {
  command = plan

  variables {
    batch_size                         = 25
    maximum_batching_window_in_seconds = 5
    maximum_concurrency                = 4
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.events[0].event_source_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-events" &&
      jsonencode(aws_lambda_event_source_mapping.events[0].function_response_types) == jsonencode(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.events[0].batch_size == 25 &&
      aws_lambda_event_source_mapping.events[0].maximum_batching_window_in_seconds == 5 &&
      aws_lambda_event_source_mapping.events[0].scaling_config[0].maximum_concurrency == 4
    )
    error_message = "The mapping reports batch item failures and takes batch size, window and concurrency cap from the variables."
  }

  assert {
    condition     = aws_sqs_queue.events[0].visibility_timeout_seconds >= 6 * var.timeout + 5
    error_message = "The batching window adds to the visibility timeout."
  }
}

run "batch_above_10_needs_a_window" {
  command = plan

  variables {
    batch_size = 11
  }

  expect_failures = [aws_lambda_event_source_mapping.events]
}

run "notification_and_permissions" {
  command = plan

  assert {
    condition = (
      length(aws_s3_bucket_notification.input.lambda_function) == 0 &&
      sort([for q in aws_s3_bucket_notification.input.queue : q.filter_suffix]) == sort(flatten([
        for f in var.decoded_formats : [".${lower(f)}", ".${upper(f)}"]
      ])) &&
      alltrue([for q in aws_s3_bucket_notification.input.queue : q.queue_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-events"])
    )
    error_message = "In sqs mode S3 sends every decoded format (${jsonencode(var.decoded_formats)}) to the queue, not to the function."
  }

  assert {
    condition     = length(aws_lambda_permission.s3_invoke) == 0 && length(aws_lambda_function_event_invoke_config.this) == 0
    error_message = "No direct invoke permission and no asynchronous retry config in sqs mode."
  }

  assert {
    condition = jsonencode({
      for s in data.aws_iam_policy_document.lambda.statement : s.sid => [s.actions, s.resources] if startswith(s.sid, "ConsumeEventQueue") || startswith(s.sid, "SendDeadLetters")
      }) == jsonencode({
      ConsumeEventQueue = [["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], ["arn:aws:sqs:us-east-1:123456789012:imgpipe-events"]]
    })
    error_message = "The role may receive, delete and read attributes on the event queue only, and no longer sends dead letters itself."
  }
}

run "apply" {
  providers = {
    aws = aws.apply
  }

  assert {
    condition     = output.event_queue_arn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-events"
    error_message = "The applied sqs deployment exposes its event queue."
  }
}
