# brms 2.18 reference for loo/waic with resp= (tests/criteria/test_loo_resp.py), written to
# tests/reference/loo_resp/brms_loo_resp.json: the data, and brms's estimates of
#  - a multivariate model with subset(): loo(fit, resp = "y1"/"y2") and the error of loo(fit);
#  - the same responses on every row (rescor = FALSE): loo(fit, resp = ...), loo(fit), waic(fit, resp = "y1").
# Run from the repository root (needs R with brms and rstan; the tests do not):
#   Rscript tools/brms_loo_resp_reference.R
suppressMessages(library(brms))
library(jsonlite)
rstan::rstan_options(boost_lib = "/usr/include")
set.seed(11)
n <- 120
g <- sample(0:5, n, replace = TRUE)
x <- round(rnorm(n), 4)
u <- rnorm(6, 0, 0.8)
s1 <- runif(n) < 0.6
s2 <- runif(n) < 0.7
y1 <- round(1 + 0.7 * x + u[g + 1] + rnorm(n, 0, 0.5), 4)
y2 <- round(-1 - 0.4 * x + rnorm(n), 4)
d <- data.frame(y1 = ifelse(s1, y1, y1 + 100), y2 = ifelse(s2, y2, NA), x = x, g = paste0("L", g), s1 = s1, s2 = s2)
est <- function(l) list(nobs = nrow(l$pointwise), estimates = unname(l$estimates[, 1]), se = unname(l$estimates[, 2]),
                        mcse = tryCatch(suppressWarnings(loo::mcse_loo(l)), error = function(e) NA))
fs <- brm(bf(y1 | subset(s1) ~ x + (1 | g)) + bf(y2 | subset(s2) ~ x) + set_rescor(FALSE), d,
          chains = 4, iter = 2000, refresh = 0, seed = 1)
err <- tryCatch(loo(fs), error = function(e) conditionMessage(e))
full <- d[d$s1 & d$s2, ]
ff <- brm(bf(y1 ~ x + (1 | g)) + bf(y2 ~ x) + set_rescor(FALSE), full, chains = 4, iter = 2000, refresh = 0, seed = 1)
out <- list(
  data = d,
  subset = list(y1 = est(loo(fs, resp = "y1")), y2 = est(loo(fs, resp = "y2")), error = err),
  full = list(y1 = est(loo(ff, resp = "y1")), y2 = est(loo(ff, resp = "y2")), joint = est(loo(ff)),
              waic_y1 = est(waic(ff, resp = "y1")))
)
writeLines(toJSON(out, digits = 15, auto_unbox = TRUE, dataframe = "columns", na = "null"),
           "tests/reference/loo_resp/brms_loo_resp.json")
