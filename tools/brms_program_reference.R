# brms 2.18's generated Stan programs and Stan data, for tests that compare log densities.
#
# Run from the repository root (needs R with brms; the tests do not):
#   Rscript tools/brms_program_reference.R
#
# Writes tests/reference/brms_programs/<case>.stan (make_stancode) and <case>.json
# (make_standata), plus the data sets they use as CSV. The tests run brms's program on stanli
# with brms's data and check that brmspy's program has the same log density and gradient at the
# same parameter values (tests/families/test_ordinal.py: category-specific effects of sratio/cratio/acat).
suppressMessages(library(brms))
out <- "tests/reference/brms_programs"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

export <- function(name, formula, data, family, prior = NULL) {
  code <- suppressWarnings(make_stancode(formula, data = data, family = family, prior = prior))
  sdata <- suppressWarnings(make_standata(formula, data = data, family = family, prior = prior))
  writeLines(code, file.path(out, paste0(name, ".stan")))
  writeLines(to_json(unclass(sdata)), file.path(out, paste0(name, ".json")))
}

source("tools/standata_json.R")  # to_json(): Stan data as JSON that round-trips doubles

# brms's inhaler data (4-category rating): the model of brms's vignette with cs(treat)
data(inhaler, package = "brms")
write.csv(inhaler, file.path(out, "inhaler.csv"), row.names = FALSE)
for (fam in c("acat", "sratio", "cratio")) {
  export(paste0("inhaler_", fam, "_cs"), rating ~ period + carry + cs(treat) + (1 | subject), inhaler, fam)
}

# the differential corpus's simulated data (tests/reference/brms/data/sim.csv)
sim <- read.csv("tests/reference/brms/data/sim.csv", stringsAsFactors = FALSE)
export("sim_gp", y ~ gp(x1), sim, gaussian())
export("sim_gp_approx", y ~ gp(x1, k = 10, c = 5/4), sim, gaussian())
export("sim_gp_by", y ~ gp(x1, by = f2), sim, gaussian())
# shrinkage priors: brms 2.18's horseshoe() and R2D2() functions against current brms's scales form
export("sim_horseshoe", y ~ x1 + x2 + x3, sim, gaussian(), prior = set_prior("horseshoe(1, par_ratio = 0.5)"))
export("sim_r2d2", y ~ x1 + x2 + x3, sim, gaussian(), prior = set_prior("R2D2(0.5, 2, cons_D2 = 0.5)"))
# brms 2.18's horseshoe over b and the bsp of mo()/me() (its own hs_localsp; current brms: one scales vector)
export("sim_horseshoe_mo_me", y ~ x1 + x2 + mo(xmo) + me(xme, sdxme), sim, gaussian(),
       prior = set_prior("horseshoe(1, par_ratio = 0.5)"))

# sleepstudy with a thin plate smooth of Days: brms's program and data, and its posterior summary
# (4 chains x 2000 iterations, rstan) for the agreement test
sleep <- lme4::sleepstudy
export("sleepstudy_s_days", Reaction ~ s(Days, k = 5), sleep, gaussian())
if (!file.exists(file.path(out, "sleepstudy_s_days_posterior.json"))) {
  rstan::rstan_options(boost_lib = "/usr/include")
  fit <- brm(Reaction ~ s(Days, k = 5), sleep, seed = 1234, refresh = 0)
  d <- as_draws_df(fit)
  keep <- c("b_Intercept", "bs_sDays_1", "sds_sDays_1", "sigma")
  post <- lapply(keep, function(v) list(mean = mean(d[[v]]), sd = sd(d[[v]])))
  names(post) <- keep
  jsonlite::write_json(post, file.path(out, "sleepstudy_s_days_posterior.json"), auto_unbox = TRUE, digits = 8)
}
