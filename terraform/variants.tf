# Variants: several outputs per upload. The list is rendered into the function's VARIANTS
# variable and decides the key prefixes the function may write, so the IAM grant and the outputs
# follow the same list as the function.
locals {
  # Unset optional attributes are left out rather than sent as null: the function refuses a
  # field of the wrong JSON type, and "fit": null is one.
  variants_json = length(var.variants) == 0 ? "" : jsonencode([
    for v in var.variants : { for field, value in v : field => value if value != null }
  ])

  # The key prefix of each output, in the function's naming: OUTPUT_PREFIX, then the variant's
  # prefix (its name + "/" by default). Without variants, the one output uses OUTPUT_PREFIX.
  variant_key_prefixes = {
    for v in var.variants : v.name => "${var.output_prefix}${v.prefix != null ? v.prefix : "${v.name}/"}"
  }
  output_key_prefixes = length(var.variants) == 0 ? [var.output_prefix] : distinct([for v in var.variants : local.variant_key_prefixes[v.name]])

  # The HTTPS origin outputs are read from, when they are readable at all.
  output_url_origin = (
    local.output_access == "public_bucket" ? "https://${aws_s3_bucket.output.bucket_regional_domain_name}/" :
    local.output_access == "cloudfront" ? "https://${one(aws_cloudfront_distribution.output[*].domain_name)}/" : null
  )
}
