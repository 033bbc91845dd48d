# brms 2.18's cox programs and Stan data, for tests/families/test_cox_bounds.py and test_cox_mixture.py.
#
# Run from the repository root (needs R with brms; the tests do not):
#   Rscript tools/brms_cox_programs.R
#
# Reads tests/reference/brms_programs/cox.csv (written by the tests' _data(n = 80, seed = 21) of
# tests/families/test_cox_bounds.py) and writes tests/reference/brms_programs/cox_<case>.stan/.json:
# right censoring and a mixture of cox and lognormal (brmspy's programs must give the same log
# density); a mixture of cox and exponential, interval censoring and left truncation (where brms's
# programs differ from brmspy's: the tests show by what).
suppressMessages(library(brms))
out <- "tests/reference/brms_programs"
d <- read.csv(file.path(out, "cox.csv"))
source("tools/standata_json.R")  # to_json(): Stan data as JSON that round-trips doubles
export <- function(name, formula, family) {
  code <- suppressWarnings(make_stancode(formula, data = d, family = family))
  sdata <- suppressWarnings(make_standata(formula, data = d, family = family))
  writeLines(code, file.path(out, paste0("cox_", name, ".stan")))
  writeLines(to_json(unclass(sdata)), file.path(out, paste0("cox_", name, ".json")))
}
export("cens", time | cens(1 - event) ~ x, brmsfamily("cox"))
export("mix_exponential", time | cens(1 - event) ~ x, mixture(cox, exponential))
export("mix_lognormal", time | cens(1 - event) ~ x, mixture(cox, lognormal))
export("interval", time | cens(cens, time2) ~ x, brmsfamily("cox"))
export("trunc", time | trunc(lb = entry) ~ x, brmsfamily("cox"))
