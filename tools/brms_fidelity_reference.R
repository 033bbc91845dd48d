# brms 2.18 reference outputs for tests/fit/test_fidelity.py (written to tests/reference/fidelity/).
#
# Run from the repository root (needs R with brms, rstan and lme4; the tests do not):
#   Rscript tools/brms_fidelity_reference.R
#
# 1. brms_exports.txt: every function name brms exports (no top-level brmspy name may be a module).
# 2. shared_group.json: a model whose group-level blocks share a grouping factor legitimately
#    (different |ID| and dpars): brms's parameter names, summary rows, VarCorr and ranef names.
# 3. messages.json: brms's messages for refused or defaulted inputs.
# 4. rhat_one_chain.json: posterior::rhat of deterministic single- and two-chain draws.
suppressMessages({library(brms); library(lme4)})
rstan::rstan_options(boost_lib = "/usr/include")
out <- "tests/reference/fidelity"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

exports <- getNamespaceExports("brms")
writeLines(sort(exports[!grepl("^\\.", exports)]), file.path(out, "brms_exports.txt"))

# --- a legitimate shared group name: block 1 = (1 |a| Subject) in mu and sigma (correlated),
#     block 2 = (0 + Days | Subject) in mu
form <- bf(Reaction ~ Days + (1 | a | Subject) + (0 + Days | Subject), sigma ~ (1 | a | Subject))
fit <- brm(form, sleepstudy, chains = 1, iter = 300, seed = 1, refresh = 0)
vars <- variables(fit)
s <- summary(fit)
vc <- VarCorr(fit)
re <- ranef(fit)
shared <- list(
  formula = "bf(Reaction ~ Days + (1 | a | Subject) + (0 + Days | Subject), sigma ~ (1 | a | Subject))",
  variables = vars[!grepl("^(z_|L_|Intercept|lp__|lprior)", vars)],
  summary_groups = names(s$random),
  summary_rows = rownames(s$random$Subject),
  ngrps = brms::ngrps(fit),
  varcorr_groups = names(vc),
  varcorr_parts = names(vc$Subject),
  varcorr_sd_rows = rownames(vc$Subject$sd),
  varcorr_cor_names = dimnames(vc$Subject$cor)[[1]],
  varcorr_cor_zero = unname(vc$Subject$cor[, "Estimate", ][upper.tri(diag(3))] == 0),
  ranef_groups = names(re),
  ranef_coefs = dimnames(re$Subject)[[3]],
  ranef_levels = dimnames(re$Subject)[[1]]
)
jsonlite::write_json(shared, file.path(out, "shared_group.json"), auto_unbox = TRUE, pretty = TRUE)

# --- messages
msg <- function(expr) tryCatch({expr; ""}, error = function(e) conditionMessage(e))
d <- data.frame(y1 = rnorm(20), y2 = rnorm(20), x = rnorm(20), c = rpois(20, 2))
rescor_msgs <- function(f, ...) {
  m <- character(0); w <- character(0)
  withCallingHandlers(make_stancode(f, d, ...),
    message = function(e) {m <<- c(m, conditionMessage(e)); invokeRestart("muffleMessage")},
    warning = function(e) {w <<- c(w, conditionMessage(e)); invokeRestart("muffleWarning")})
  list(message = trimws(m), warning = w)
}
messages <- list(
  duplicated = msg(make_stancode(Reaction ~ Days + (Days | Subject) + (1 | Subject), sleepstudy)),
  duplicated_ids = msg(make_stancode(Reaction ~ Days + (Days | a | Subject) + (1 | b | Subject), sleepstudy)),
  empty_data = msg(make_standata(y1 ~ x, d[0, ])),
  rescor_gaussian = rescor_msgs(bf(y1 ~ x) + bf(y2 ~ x)),
  rescor_mvbind = rescor_msgs(mvbind(y1, y2) ~ x),
  rescor_student = rescor_msgs(bf(y1 ~ x) + bf(y2 ~ x), family = student()),
  rescor_mixed = rescor_msgs(bf(y1 ~ x) + bf(c ~ x, family = poisson())),
  rescor_gaussian_student = rescor_msgs(bf(y1 ~ x) + bf(y2 ~ x, family = student()))
)
jsonlite::write_json(messages, file.path(out, "messages.json"), auto_unbox = TRUE, pretty = TRUE)

# --- posterior::rhat (what brms's summary shows) for one chain and for two
i <- 0:400
x <- sin(i * 0.37) + 0.002 * i
rh <- list(
  one_chain_401 = posterior::rhat(matrix(x, ncol = 1)),
  one_chain_400 = posterior::rhat(matrix(x[1:400], ncol = 1)),
  two_chains_400 = posterior::rhat(matrix(x[1:400], ncol = 2))
)
jsonlite::write_json(rh, file.path(out, "rhat_one_chain.json"), auto_unbox = TRUE, digits = 15, pretty = TRUE)
