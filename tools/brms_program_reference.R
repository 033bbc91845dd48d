# brms 2.18's generated Stan programs and Stan data, for tests that compare log densities.
#
# Run from the repository root (needs R with brms; the tests do not):
#   Rscript tools/brms_program_reference.R
#
# Writes tests/reference/brms_programs/<case>.stan (make_stancode) and <case>.json
# (make_standata), plus the data sets they use as CSV. The tests run brms's program on stanli
# with brms's data and check that brmspy's program has the same log density and gradient at the
# same parameter values (tests/test_ordinal.py: category-specific effects of sratio/cratio/acat).
suppressMessages(library(brms))
out <- "tests/reference/brms_programs"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

export <- function(name, formula, data, family) {
  code <- suppressWarnings(make_stancode(formula, data = data, family = family))
  sdata <- suppressWarnings(make_standata(formula, data = data, family = family))
  sdata <- lapply(unclass(sdata), function(x) {
    if (is.matrix(x)) unname(x) else if (is.array(x)) as.vector(x) else x
  })
  writeLines(code, file.path(out, paste0(name, ".stan")))
  jsonlite::write_json(sdata, file.path(out, paste0(name, ".json")), auto_unbox = TRUE,
                       digits = NA, matrix = "rowmajor")
}

# brms's inhaler data (4-category rating): the model of brms's vignette with cs(treat)
data(inhaler, package = "brms")
write.csv(inhaler, file.path(out, "inhaler.csv"), row.names = FALSE)
for (fam in c("acat", "sratio", "cratio")) {
  export(paste0("inhaler_", fam, "_cs"), rating ~ period + carry + cs(treat) + (1 | subject), inhaler, fam)
}
