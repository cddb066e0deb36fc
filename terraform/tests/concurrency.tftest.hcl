# CONCURRENCY: the records of one invocation the function processes at once. Left unset, the
# module passes "" so the function applies its own default (one source for it: the binary's
# table); set, it passes the number; anything outside 1..16 or fractional is refused at plan.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
}

run "unset_takes_the_functions_default" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CONCURRENCY == ""
    error_message = "An unset concurrency must reach the function as \"\" (its own default)."
  }
}

run "sequential_is_passed_through" {
  command = plan

  variables {
    concurrency = 1
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CONCURRENCY == "1"
    error_message = "concurrency = 1 (one record after the other) must reach the function as CONCURRENCY=1."
  }
}

run "largest_is_accepted" {
  command = plan

  variables {
    concurrency = 16
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CONCURRENCY == "16"
    error_message = "The largest concurrency (16) must be accepted."
  }
}

run "zero_is_refused" {
  command = plan

  variables {
    concurrency = 0
  }

  expect_failures = [var.concurrency]
}

run "above_the_function_limit_is_refused" {
  command = plan

  variables {
    concurrency = 17
  }

  expect_failures = [var.concurrency]
}

run "fraction_is_refused" {
  command = plan

  variables {
    concurrency = 2.5
  }

  expect_failures = [var.concurrency]
}
