# Which columns lm() leaves out (NA coefficients) as linear combinations of earlier ones,
# recorded for tests/priors/test_validation.py (brmspy.diagnostics follows lm's column order rule).
#
#   Rscript tools/lm_aliased.R > tests/reference/lm_aliased.csv
#
# The data are deterministic (no RNG) so the test rebuilds them identically in Python.
i <- 1:40
d <- data.frame(y = sin(i) + cos(3 * i), x = sin(i), z = 2 * cos(i), u = sin(i / 3))
d$x2 <- 2 * d$x
d$w <- d$x - 3 * d$z + 5
d$c <- 7
d$v <- d$u + 1e-3 * cos(5 * i)  # nearly but not exactly collinear: kept
models <- c(intercept = "y ~ x + x2 + z + c + w + u + v", no_intercept = "y ~ 0 + x + z + w + x2 + u")
rows <- list()
for (name in names(models)) {
  cf <- coef(lm(as.formula(models[[name]]), data = d))
  rows[[name]] <- data.frame(model = name, formula = models[[name]],
                             aliased = paste(names(cf)[is.na(cf)], collapse = " "))
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE)
