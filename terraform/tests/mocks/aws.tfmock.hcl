# Values the mocked hashicorp/aws provider returns, shaped like AWS's, so that the provider's own
# ARN checks accept them at apply and the policies can be compared with known ARNs at plan.
# A mocked aws_iam_policy_document would return random text as json: the tests read its
# statement inputs instead, and the resources that parse the json get a valid empty policy.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-role"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-queue"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-queue"
  }
}

# Distinct ARNs, so that a policy scoped to the wrong bucket or queue fails the comparison.
override_resource {
  target = aws_s3_bucket.input
  values = {
    id                          = "imgpipe-test-input"
    arn                         = "arn:aws:s3:::imgpipe-test-input"
    bucket_regional_domain_name = "imgpipe-test-input.s3.us-east-1.amazonaws.com"
  }
}

override_resource {
  target = aws_s3_bucket.output
  values = {
    id                          = "imgpipe-test-output"
    arn                         = "arn:aws:s3:::imgpipe-test-output"
    bucket_regional_domain_name = "imgpipe-test-output.s3.us-east-1.amazonaws.com"
  }
}

override_resource {
  target = aws_sqs_queue.dead_letter
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dead-letters"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dead-letters"
  }
}

override_resource {
  target = aws_sqs_queue.events
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-events"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-events"
  }
}
