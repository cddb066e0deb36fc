# enable_batch_operations: a role that S3 Batch Operations assumes to backfill existing objects.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias  = "apply"
  source = "./tests/mocks"
}

variables {
  input_bucket_name            = "imgpipe-test-input"
  output_bucket_name           = "imgpipe-test-output"
  lambda_zip_path              = "tests/fixtures/lambda.zip"
  enable_batch_operations      = true
  batch_operations_bucket_name = "imgpipe-test-batch"
}

run "off_by_default" {
  command = plan

  variables {
    enable_batch_operations = false
  }

  assert {
    condition     = length(aws_iam_role.batch_operations) == 0 && length(aws_iam_role_policy.batch_operations) == 0
    error_message = "No Batch Operations role unless asked for."
  }
}

run "least_privilege" {
  command = plan

  assert {
    condition = jsonencode({
      for s in data.aws_iam_policy_document.batch_operations[0].statement : s.sid => [s.effect, s.actions, s.resources]
      }) == jsonencode({
      InvokeThisFunction = ["Allow", ["lambda:InvokeFunction"], ["arn:aws:lambda:us-east-1:123456789012:function:imgpipe"]]
      ReadManifests      = ["Allow", ["s3:GetObject", "s3:GetObjectVersion"], ["arn:aws:s3:::imgpipe-test-batch/manifests/*"]]
      WriteReports       = ["Allow", ["s3:PutObject"], ["arn:aws:s3:::imgpipe-test-batch/reports/*"]]
    })
    error_message = "The role may invoke this function only, read manifests and write reports in the named bucket."
  }

  assert {
    condition = jsonencode(data.aws_iam_policy_document.batch_operations_assume[0].statement[0].principals) == jsonencode([
      { identifiers = ["batchoperations.s3.amazonaws.com"], type = "Service" }
    ])
    error_message = "Only S3 Batch Operations may assume the role."
  }
}

run "apply" {
  providers = {
    aws = aws.apply
  }

  assert {
    condition     = output.batch_operations_role_arn == "arn:aws:iam::123456789012:role/imgpipe-role"
    error_message = "The applied role's ARN is an output, for create-job --role-arn."
  }
}
