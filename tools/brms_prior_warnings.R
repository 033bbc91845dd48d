# brms's warnings for priors whose support does not match the parameter's bounds
# (check_prior_content), recorded for tests/priors/test_validation.py.
#
#   Rscript tools/brms_prior_warnings.R > tests/reference/brms_prior_warnings.csv
#
# Columns: case, bound ("lower"/"upper"/"none"/"error"), prior (brms's printed prior line).
suppressMessages(library(brms))
set.seed(1)
df <- data.frame(y = rnorm(40), x = rnorm(40), g = rep(1:8, 5))
cases <- list(
  lognormal_b = list(y ~ x, prior(lognormal(0, 1), class = b)),
  lognormal_b_lb = list(y ~ x, prior(lognormal(0, 1), class = b, lb = 0)),
  uniform_b = list(y ~ x, prior(uniform(0, 1), class = b)),
  uniform_b_lb = list(y ~ x, prior(uniform(0, 1), class = b, lb = 0)),
  uniform_b_lb_ub = list(y ~ x, prior(uniform(0, 1), class = b, lb = 0, ub = 1)),
  uniform_sd = list(y ~ x + (1 | g), prior(uniform(0, 1), class = sd)),
  uniform_sd_group = list(y ~ x + (1 | g), prior(uniform(0, 1), class = sd, group = g)),
  exponential_sd = list(y ~ x + (1 | g), prior(exponential(1), class = sd)),
  uniform_sigma_negative = list(y ~ x, prior(uniform(-5, -1), class = sigma)),
  mixed = list(y ~ x, c(prior(lognormal(0, 1), class = b, coef = x), prior(gamma(1, 1), class = Intercept),
                        prior(beta(1, 1), class = sigma)))
)
rows <- list()
for (name in names(cases)) {
  found <- FALSE
  tryCatch(withCallingHandlers(
    make_stancode(cases[[name]][[1]], df, prior = cases[[name]][[2]]),
    warning = function(w) {
      msg <- conditionMessage(w)
      bound <- if (grepl("lower bounded", msg)) "lower" else if (grepl("upper bounded", msg)) "upper" else "other"
      lines <- strsplit(sub(".*Warning occurred for prior \n", "", msg), "\n")[[1]]
      lines <- trimws(lines[nzchar(trimws(lines))])
      for (l in lines) rows[[length(rows) + 1]] <<- data.frame(case = name, bound = bound, prior = l)
      found <<- TRUE
      invokeRestart("muffleWarning")
    }), error = function(e) {
      rows[[length(rows) + 1]] <<- data.frame(case = name, bound = "error", prior = conditionMessage(e))
      found <<- TRUE
    })
  if (!found) rows[[length(rows) + 1]] <- data.frame(case = name, bound = "none", prior = "")
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE)
