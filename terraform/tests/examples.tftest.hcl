# The example deploys the zip that matches architectures, and a zip whose recorded architecture
# (<zip>.arch, written by make package) disagrees with architectures fails the plan. tf.sh puts
# the fixtures in dist/ as make package would: lambda.zip.arch says x86_64 and
# lambda-arm64.zip.arch says arm64, so an example run that picked the wrong zip fails its plan.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
}

run "example_x86_64" {
  command = plan

  module {
    source = "./examples/basic"
  }
}

run "example_arm64" {
  command = plan

  module {
    source = "./examples/basic"
  }

  variables {
    architectures = ["arm64"]
  }
}

run "zip_built_for_another_architecture" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/mismatch.zip"
    architectures   = ["x86_64"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "zip_without_recorded_architecture" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/unrecorded.zip"
  }

  expect_failures = [aws_lambda_function.this]
}

run "zip_missing" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/no-such.zip"
  }

  expect_failures = [aws_lambda_function.this]
}

run "arm64_zip_on_arm64" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/lambda-arm64.zip"
    architectures   = ["arm64"]
  }

  assert {
    condition     = jsonencode(aws_lambda_function.this.architectures) == jsonencode(["arm64"])
    error_message = "An arm64 zip deploys on an arm64 function."
  }
}
