"""Campaign files shipped with the package (loaded by `ruamjai campaign load --example`)."""
