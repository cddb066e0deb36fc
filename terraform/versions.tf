terraform {
  # 1.5: check blocks and preconditions evaluated before resource arguments.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.31 added logging_config (JSON log format) to aws_lambda_function.
      version = ">= 5.31.0"
    }
  }
}
