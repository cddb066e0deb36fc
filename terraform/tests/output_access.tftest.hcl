# Who can read the outputs: private (default), public_bucket, cloudfront, and the deprecated
# public_output alias. The output is public only when asked for.

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
}

run "private_by_default" {
  command = plan

  assert {
    condition = (
      [for s in data.aws_iam_policy_document.bucket["output"].statement : s.sid] == ["DenyInsecureTransport"] &&
      aws_s3_bucket_public_access_block.output.block_public_policy && aws_s3_bucket_public_access_block.output.restrict_public_buckets &&
      length(aws_cloudfront_distribution.output) == 0
    )
    error_message = "Without output_access or public_output the output bucket is private."
  }
}

run "public_bucket" {
  command = plan

  variables {
    output_access = "public_bucket"
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.bucket["output"].statement : [s.effect, s.actions, s.resources, s.principals] if s.sid == "PublicReadOutputs"
    ]) == jsonencode([["Allow", ["s3:GetObject"], ["arn:aws:s3:::imgpipe-test-output/*"], [{ identifiers = ["*"], type = "*" }]]])
    error_message = "public_bucket grants s3:GetObject on the output objects to everyone, nothing else."
  }

  assert {
    condition = (
      !aws_s3_bucket_public_access_block.output.block_public_policy && !aws_s3_bucket_public_access_block.output.restrict_public_buckets &&
      aws_s3_bucket_public_access_block.output.block_public_acls && aws_s3_bucket_public_access_block.output.ignore_public_acls
    )
    error_message = "public_bucket lets the public policy through, and still blocks ACLs."
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.bucket["input"].statement) == 1 &&
      aws_s3_bucket_public_access_block.input.block_public_policy && aws_s3_bucket_public_access_block.input.restrict_public_buckets
    )
    error_message = "The input bucket stays private whatever output_access says."
  }
}

run "public_output_alias" {
  command = plan

  variables {
    public_output = true
  }

  assert {
    condition     = contains([for s in data.aws_iam_policy_document.bucket["output"].statement : s.sid], "PublicReadOutputs")
    error_message = "public_output = true still means a public bucket."
  }

  # The deprecation is a warning (a check block), not an error.
  expect_failures = [check.public_output_deprecated]
}

run "public_output_false_alias" {
  command = plan

  variables {
    public_output = false
  }

  assert {
    condition     = length(data.aws_iam_policy_document.bucket["output"].statement) == 1
    error_message = "public_output = false means private."
  }

  expect_failures = [check.public_output_deprecated]
}

run "alias_contradiction" {
  command = plan

  variables {
    public_output = true
    output_access = "private"
  }

  expect_failures = [aws_s3_bucket.output, check.public_output_deprecated]
}

run "kms_refuses_public_reads" {
  command = plan

  variables {
    output_access = "cloudfront"
    kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [aws_s3_bucket.output]
}

run "cloudfront" {
  command = plan

  variables {
    output_access = "cloudfront"
    output_prefix = "thumbs/"
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.bucket["output"].statement : [s.effect, s.actions, s.resources, s.principals, s.condition] if s.sid == "CloudFrontReadOutputs"
      ]) == jsonencode([["Allow", ["s3:GetObject"], ["arn:aws:s3:::imgpipe-test-output/*"], [{ identifiers = ["cloudfront.amazonaws.com"], type = "Service" }],
    [{ test = "StringEquals", values = ["arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"], variable = "AWS:SourceArn" }]]])
    error_message = "Only this distribution may read the output objects."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.output.block_public_policy && aws_s3_bucket_public_access_block.output.restrict_public_buckets &&
      !contains([for s in data.aws_iam_policy_document.bucket["output"].statement : s.sid], "PublicReadOutputs")
    )
    error_message = "Behind CloudFront the bucket itself stays private."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.output[0].default_cache_behavior[0].viewer_protocol_policy == "https-only" &&
      aws_cloudfront_distribution.output[0].default_cache_behavior[0].compress &&
      aws_cloudfront_origin_access_control.output[0].signing_behavior == "always" &&
      aws_cloudfront_cache_policy.output[0].min_ttl == 0
    )
    error_message = "HTTPS only, compressed, signed origin requests, and a cache that follows the objects' Cache-Control (min_ttl 0)."
  }

  assert {
    condition = (
      output.cloudfront_distribution_domain_name == "d111111abcdef8.cloudfront.net" &&
      output.cloudfront_url_example == "https://d111111abcdef8.cloudfront.net/thumbs/photos/cat.jpg" &&
      output.output_bucket_public_url_prefix == "https://d111111abcdef8.cloudfront.net/thumbs/"
    )
    error_message = "The outputs give the distribution's domain and a thumbnail URL."
  }
}

run "apply_private" {
  providers = {
    aws = aws.apply
  }

  assert {
    condition     = output.output_bucket_public_url_prefix == null
    error_message = "A private deployment applies with no public URL."
  }
}

run "apply_public_bucket" {
  providers = {
    aws = aws.apply
  }

  variables {
    output_access = "public_bucket"
  }

  assert {
    condition     = output.output_bucket_public_url_prefix == "https://imgpipe-test-output.s3.us-east-1.amazonaws.com/"
    error_message = "A public bucket applies with its URL prefix."
  }
}

run "apply_cloudfront" {
  providers = {
    aws = aws.apply
  }

  variables {
    output_access = "cloudfront"
  }

  assert {
    condition     = output.cloudfront_url_example == "https://d111111abcdef8.cloudfront.net/photos/cat.jpg"
    error_message = "A CloudFront deployment applies with the distribution's URL."
  }
}
