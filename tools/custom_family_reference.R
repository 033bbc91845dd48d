# brms 2.18's make_standata for the brms_customfamilies vignette's beta-binomial family on
# tests/reference/custom_family/beta_binomial2_data.csv (simulated with numpy, seed 21: logit(mu) = 0.3 + 0.8 x,
# phi = 8, y ~ beta_binomial(tr, mu * phi, (1 - mu) * phi)). Run from the repository root:
#   Rscript tools/custom_family_reference.R
suppressMessages(library(brms))
d <- read.csv("tests/reference/custom_family/beta_binomial2_data.csv")
beta_binomial2 <- custom_family(
  "beta_binomial2", dpars = c("mu", "phi"),
  links = c("logit", "log"), lb = c(0, 0), ub = c(1, NA),
  type = "int", vars = "vint1[n]"
)
stan_funs <- "
  real beta_binomial2_lpmf(int y, real mu, real phi, int T) {
    return beta_binomial_lpmf(y | T, mu * phi, (1 - mu) * phi);
  }
"
sv <- stanvar(scode = stan_funs, block = "functions") +
  stanvar(x = 3.5, name = "myk") + stanvar(x = c(1.5, 2, 3), name = "myv")
sd <- make_standata(y | vint(tr) ~ x, data = d, family = beta_binomial2, stanvars = sv)
out <- lapply(unclass(sd), function(v) { attributes(v) <- list(dim = dim(v)); v })
jsonlite::write_json(out, "tests/reference/custom_family/beta_binomial2_standata.json", digits = NA, auto_unbox = TRUE)
# default priors of the same family with a predicted phi
gp <- get_prior(bf(y | vint(tr) ~ x, phi ~ x), data = d, family = beta_binomial2)
write.csv(as.data.frame(gp)[, c("prior", "class", "coef", "dpar", "lb")],
          "tests/reference/custom_family/beta_binomial2_get_prior.csv", row.names = FALSE)
gp0 <- get_prior(y | vint(tr) ~ x, data = d, family = beta_binomial2)
write.csv(as.data.frame(gp0)[, c("prior", "class", "coef", "dpar", "lb")],
          "tests/reference/custom_family/beta_binomial2_get_prior_phi.csv", row.names = FALSE)

# A custom family with a dpar outside brms's dpar table and two-sided bounds (issue 21): a zero-inflated
# Poisson with a constant zero probability 'pzero' in (0, 1) on the identity link, on
# tests/reference/custom_family/zip2_data.csv (numpy seed 2121: log(mu) = 0.8 + 0.5 x, pzero = 0.3).
z <- read.csv("tests/reference/custom_family/zip2_data.csv")
zip2 <- custom_family("zip2", dpars = c("mu", "pzero"), links = c("log", "identity"),
                      lb = c(NA, 0), ub = c(NA, 1), type = "int")
zip2_funs <- "
  real zip2_lpmf(int y, real mu, real pzero) {
    if (y == 0) return log_sum_exp(log(pzero), log1m(pzero) + poisson_lpmf(0 | mu));
    return log1m(pzero) + poisson_lpmf(y | mu);
  }
"
zsv <- stanvar(scode = zip2_funs, block = "functions")
sd <- make_standata(y ~ x, data = z, family = zip2, stanvars = zsv)
out <- lapply(unclass(sd), function(v) { attributes(v) <- list(dim = dim(v)); v })
jsonlite::write_json(out, "tests/reference/custom_family/zip2_standata.json", digits = NA, auto_unbox = TRUE)
for (f in list(list(bf(y ~ x), "zip2_get_prior.csv"), list(bf(y ~ x, pzero ~ x + (1 | g)), "zip2_get_prior_pred.csv"))) {
  gp <- get_prior(f[[1]], data = z, family = zip2)
  write.csv(as.data.frame(gp)[, c("prior", "class", "coef", "group", "dpar", "lb", "ub")],
            file.path("tests/reference/custom_family", f[[2]]), row.names = FALSE)
}
# the Stan declarations brms 2.18 writes for the dpar (compared line by line by the test)
sc <- make_stancode(y ~ x, data = z, family = zip2, stanvars = zsv)
writeLines(grep("pzero", strsplit(sc, "\n")[[1]], value = TRUE), "tests/reference/custom_family/zip2_stancode_lines.txt")

# A custom ordinal family (specials "ordinal", "ordered_thres"; issue 21) on
# tests/reference/custom_family/cumlogit2_data.csv (tests/families/test_custom_family_ordinal.py's ordinal_data(60)):
# brms's data (nthres, X without its intercept column) and default priors (thresholds per coef), and a second
# family with another dpar and vars.
o <- read.csv("tests/reference/custom_family/cumlogit2_data.csv")
cumlogit2 <- custom_family("cumlogit2", dpars = c("mu", "disc"), links = c("identity", "log"), lb = c(NA, 0),
                           type = "int", specials = c("ordinal", "ordered_thres"))
osv <- stanvar(scode = "real cumlogit2_lpmf(int y, real mu, real disc, vector thres) {
  return ordered_logistic_lpmf(y | disc * mu, disc * thres);
}", block = "functions")
sd <- make_standata(y ~ x, data = o, family = cumlogit2, stanvars = osv)
out <- lapply(unclass(sd), function(v) { attributes(v) <- list(dim = dim(v)); v })
jsonlite::write_json(out, "tests/reference/custom_family/cumlogit2_standata.json", digits = NA, auto_unbox = TRUE)
ord2 <- custom_family("ord2", dpars = c("mu", "phi"), links = c("identity", "log"), lb = c(NA, 0), type = "int",
                      specials = "ordinal", vars = "vint1[n]")
for (f in list(list(bf(y ~ x), cumlogit2, "cumlogit2_get_prior.csv"),
               list(bf(y | vint(tr) ~ x, phi ~ x), ord2, "ord2_get_prior.csv"))) {
  gp <- get_prior(f[[1]], data = o, family = f[[2]])
  write.csv(as.data.frame(gp)[, c("prior", "class", "coef", "group", "dpar", "lb", "ub")],
            file.path("tests/reference/custom_family", f[[3]]), row.names = FALSE)
}

# specials = "logscale" (brms's has_logscale): default priors from log(y), on
# tests/reference/custom_family/lognormal2_data.csv (numpy seed 77: log(y) = 1.5 + 0.4 x + N(0, 0.5))
ln <- read.csv("tests/reference/custom_family/lognormal2_data.csv")
lognormal2 <- custom_family("lognormal2", dpars = c("mu", "sigma"), links = c("identity", "log"), lb = c(NA, 0),
                            specials = "logscale")
gp <- get_prior(y ~ x, data = ln, family = lognormal2)
write.csv(as.data.frame(gp)[, c("prior", "class", "coef", "group", "dpar", "lb", "ub")],
          "tests/reference/custom_family/lognormal2_get_prior.csv", row.names = FALSE)
