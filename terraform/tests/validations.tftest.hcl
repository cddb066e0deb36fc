# Every variable validation refuses a bad value (expect_failures names the variable), and the
# core's largest side is accepted while one more is refused (core.max_side comes from options.h).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
}

run "largest_side_accepted" {
  command = plan

  variables {
    new_image_size = [var.core.max_side, 1]
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.NEW_IMAGE_SIZE == "[${var.core.max_side},1]"
    error_message = "The core's largest side (${var.core.max_side}) must be accepted."
  }
}

run "side_above_core_limit" {
  command = plan

  variables {
    new_image_size = [var.core.max_side + 1, 1]
  }

  expect_failures = [var.new_image_size]
}

run "same_bucket_twice" {
  command = plan

  variables {
    output_bucket_name = "imgpipe-test-input"
  }

  expect_failures = [aws_s3_bucket.output]
}

run "batch_operations_need_a_bucket" {
  command = plan

  variables {
    enable_batch_operations = true
  }

  expect_failures = [aws_iam_role.batch_operations]
}

run "bad_input_bucket_name_1" {
  command = plan

  variables {
    input_bucket_name = "Bad_Name"
  }

  expect_failures = [var.input_bucket_name]
}

run "bad_input_bucket_name_2" {
  command = plan

  variables {
    input_bucket_name = "ab"
  }

  expect_failures = [var.input_bucket_name]
}

run "bad_input_bucket_name_3" {
  command = plan

  variables {
    input_bucket_name = "a..b-bucket"
  }

  expect_failures = [var.input_bucket_name]
}

run "bad_input_bucket_name_4" {
  command = plan

  variables {
    input_bucket_name = "192.168.1.1"
  }

  expect_failures = [var.input_bucket_name]
}

run "bad_output_bucket_name_1" {
  command = plan

  variables {
    output_bucket_name = "UPPER-case"
  }

  expect_failures = [var.output_bucket_name]
}

run "bad_output_access_1" {
  command = plan

  variables {
    output_access = "world"
  }

  expect_failures = [var.output_access]
}

run "bad_input_expiry_days_1" {
  command = plan

  variables {
    input_expiry_days = -1
  }

  expect_failures = [var.input_expiry_days]
}

run "bad_output_expiry_days_1" {
  command = plan

  variables {
    output_expiry_days = 1.5
  }

  expect_failures = [var.output_expiry_days]
}

run "bad_kms_key_arn_1" {
  command = plan

  variables {
    kms_key_arn = "not-an-arn"
  }

  expect_failures = [var.kms_key_arn]
}

run "bad_trigger_1" {
  command = plan

  variables {
    trigger = "eventbridge"
  }

  expect_failures = [var.trigger]
}

run "bad_max_receive_count_1" {
  command = plan

  variables {
    max_receive_count = 0
  }

  expect_failures = [var.max_receive_count]
}

run "bad_batch_size_1" {
  command = plan

  variables {
    batch_size = 101
  }

  expect_failures = [var.batch_size]
}

run "bad_maximum_batching_window_in_seconds_1" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 301
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "bad_maximum_concurrency_1" {
  command = plan

  variables {
    maximum_concurrency = 1
  }

  expect_failures = [var.maximum_concurrency]
}

run "bad_batch_operations_bucket_name_1" {
  command = plan

  variables {
    batch_operations_bucket_name = "No_Such"
  }

  expect_failures = [var.batch_operations_bucket_name]
}

run "bad_filter_prefix_1" {
  command = plan

  variables {
    filter_prefix = "/uploads/"
  }

  expect_failures = [var.filter_prefix]
}

run "bad_new_image_size_1" {
  command = plan

  variables {
    new_image_size = [256]
  }

  expect_failures = [var.new_image_size]
}

run "bad_new_image_size_2" {
  command = plan

  variables {
    new_image_size = [0, 256]
  }

  expect_failures = [var.new_image_size]
}

run "bad_fit_1" {
  command = plan

  variables {
    fit = "stretch"
  }

  expect_failures = [var.fit]
}

run "bad_output_format_1" {
  command = plan

  variables {
    output_format = "gif"
  }

  expect_failures = [var.output_format]
}

run "bad_quality_1" {
  command = plan

  variables {
    quality = 101
  }

  expect_failures = [var.quality]
}

run "bad_background_1" {
  command = plan

  variables {
    background = "#ffff"
  }

  expect_failures = [var.background]
}

run "bad_max_input_bytes_1" {
  command = plan

  variables {
    max_input_bytes = 0
  }

  expect_failures = [var.max_input_bytes]
}

run "bad_max_input_pixels_1" {
  command = plan

  variables {
    max_input_pixels = 1.5
  }

  expect_failures = [var.max_input_pixels]
}

run "bad_output_prefix_1" {
  command = plan

  variables {
    output_prefix = "/thumbs/"
  }

  expect_failures = [var.output_prefix]
}

run "bad_cache_control_1" {
  command = plan

  variables {
    cache_control = "max-age=1\r\nX-Evil: 1"
  }

  expect_failures = [var.cache_control]
}

run "bad_lambda_function_name_1" {
  command = plan

  variables {
    lambda_function_name = "has space"
  }

  expect_failures = [var.lambda_function_name]
}

run "bad_lambda_zip_path_1" {
  command = plan

  variables {
    lambda_zip_path = "dist/lambda.tar"
  }

  expect_failures = [var.lambda_zip_path]
}

run "bad_architectures_1" {
  command = plan

  variables {
    architectures = ["x86_64", "arm64"]
  }

  expect_failures = [var.architectures]
}

run "bad_architectures_2" {
  command = plan

  variables {
    architectures = ["riscv"]
  }

  expect_failures = [var.architectures]
}

run "bad_memory_size_1" {
  command = plan

  variables {
    memory_size = 127
  }

  expect_failures = [var.memory_size]
}

run "bad_timeout_1" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "bad_reserved_concurrency_1" {
  command = plan

  variables {
    reserved_concurrency = -2
  }

  expect_failures = [var.reserved_concurrency]
}

run "bad_log_retention_days_1" {
  command = plan

  variables {
    log_retention_days = 15
  }

  expect_failures = [var.log_retention_days]
}

run "bad_maximum_retry_attempts_1" {
  command = plan

  variables {
    maximum_retry_attempts = 3
  }

  expect_failures = [var.maximum_retry_attempts]
}

run "bad_maximum_event_age_seconds_1" {
  command = plan

  variables {
    maximum_event_age_seconds = 59
  }

  expect_failures = [var.maximum_event_age_seconds]
}

run "bad_dead_letter_retention_seconds_1" {
  command = plan

  variables {
    dead_letter_retention_seconds = 1209601
  }

  expect_failures = [var.dead_letter_retention_seconds]
}

run "bad_cloudfront_price_class_1" {
  command = plan

  variables {
    cloudfront_price_class = "PriceClass_Cheap"
  }

  expect_failures = [var.cloudfront_price_class]
}

run "bad_max_progressive_pixels" {
  command = plan

  variables {
    max_progressive_pixels = 0
  }

  expect_failures = [var.max_progressive_pixels]
}

run "bad_max_interlaced_pixels" {
  command = plan

  variables {
    max_interlaced_pixels = 1.5
  }

  expect_failures = [var.max_interlaced_pixels]
}

run "bad_max_lossless_webp_pixels" {
  command = plan

  variables {
    max_lossless_webp_pixels = 0
  }

  expect_failures = [var.max_lossless_webp_pixels]
}
