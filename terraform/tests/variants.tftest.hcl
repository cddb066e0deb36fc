# Variants: the list is rendered into VARIANTS without nulls, the PutObject grant covers exactly
# the variants' key prefixes, the outputs give each variant's URL prefix, and every validation
# refuses a bad value.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  input_bucket_name  = "imgpipe-test-input"
  output_bucket_name = "imgpipe-test-output"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
  output_prefix      = "t/"
  variants = [
    { name = "thumb", size = [256, 256], fit = "cover", format = "webp", quality = 80 },
    { name = "large", size = [2048, 2048], fit = "inside", without_enlargement = true },
    { name = "bw", size = [512, 512], grayscale = true, prefix = "gray/" },
  ]
}

run "variants_render_into_the_environment" {
  command = plan

  variables {
    keep_extension = true
    shrink_on_load = "accurate"
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables.VARIANTS) == jsondecode("[{\"fit\":\"cover\",\"format\":\"webp\",\"name\":\"thumb\",\"quality\":80,\"size\":[256,256]},{\"fit\":\"inside\",\"name\":\"large\",\"size\":[2048,2048],\"without_enlargement\":true},{\"grayscale\":true,\"name\":\"bw\",\"prefix\":\"gray/\",\"size\":[512,512]}]")
    error_message = "VARIANTS must hold each variant with only the attributes it sets (no nulls)."
  }

  assert {
    condition     = !strcontains(aws_lambda_function.this.environment[0].variables.VARIANTS, "null")
    error_message = "Unset optional attributes must be left out of VARIANTS, not sent as null."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.KEEP_EXTENSION == "true" &&
      aws_lambda_function.this.environment[0].variables.SHRINK_ON_LOAD == "accurate"
    )
    error_message = "keep_extension and shrink_on_load must reach KEEP_EXTENSION and SHRINK_ON_LOAD."
  }
}

run "put_grant_covers_exactly_the_variant_prefixes" {
  command = plan

  assert {
    # A statement's resources are a set: compared sorted.
    condition = jsonencode(sort(one([
      for s in data.aws_iam_policy_document.lambda.statement : s.resources if s.sid == "WriteOutputImages"
      ]))) == jsonencode([
      "arn:aws:s3:::imgpipe-test-output/t/gray/*",
      "arn:aws:s3:::imgpipe-test-output/t/large/*",
      "arn:aws:s3:::imgpipe-test-output/t/thumb/*",
    ])
    error_message = "PutObject must be granted on exactly output_prefix + each variant's prefix."
  }
}

run "without_variants_one_output_under_output_prefix" {
  command = plan

  variables {
    variants = []
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.VARIANTS == ""
    error_message = "Without variants VARIANTS must be empty, so the function makes today's one output."
  }

  assert {
    condition = jsonencode(one([
      for s in data.aws_iam_policy_document.lambda.statement : s.resources if s.sid == "WriteOutputImages"
    ])) == jsonencode(["arn:aws:s3:::imgpipe-test-output/t/*"])
    error_message = "Without variants PutObject stays on output_prefix*."
  }

  assert {
    condition     = output.variant_url_prefixes == {}
    error_message = "Without variants there are no variant URL prefixes."
  }
}

run "variant_url_prefixes_follow_output_access" {
  command = plan

  variables {
    output_access = "public_bucket"
  }

  assert {
    condition     = output.variant_url_prefixes["bw"] == "https://imgpipe-test-output.s3.us-east-1.amazonaws.com/t/gray/"
    error_message = "A public bucket's variant URL prefix is the bucket's origin, output_prefix and the variant's prefix."
  }
}

run "variant_url_prefixes_are_null_when_private" {
  command = plan

  assert {
    condition     = alltrue([for url in values(output.variant_url_prefixes) : url == null]) && length(output.variant_url_prefixes) == 3
    error_message = "Private outputs have no URL: every variant's prefix is null."
  }
}

run "duplicate_variant_names" {
  command = plan
  variables {
    variants = [{ name = "a", size = [1, 1] }, { name = "a", size = [2, 2] }]
  }
  expect_failures = [var.variants]
}

run "bad_variant_name" {
  command = plan
  variables {
    variants = [{ name = "Thumb", size = [1, 1] }]
  }
  expect_failures = [var.variants]
}

run "variant_size_out_of_range" {
  command = plan
  variables {
    variants = [{ name = "a", size = [0, 5] }]
  }
  expect_failures = [var.variants]
}

run "variant_unknown_format" {
  command = plan
  variables {
    variants = [{ name = "a", size = [1, 1], format = "tiff" }]
  }
  expect_failures = [var.variants]
}

run "variant_quality_out_of_range" {
  command = plan
  variables {
    variants = [{ name = "a", size = [1, 1], quality = 101 }]
  }
  expect_failures = [var.variants]
}

run "variant_prefix_with_dot_segment" {
  command = plan
  variables {
    variants = [{ name = "a", size = [1, 1], prefix = "x/../in/" }]
  }
  expect_failures = [var.variants]
}

run "too_many_variants" {
  command = plan
  variables {
    variants = [for i in range(17) : { name = "v${i}", size = [1, 1] }]
  }
  expect_failures = [var.variants]
}

run "bad_shrink_on_load" {
  command = plan
  variables {
    shrink_on_load = "slow"
  }
  expect_failures = [var.shrink_on_load]
}
