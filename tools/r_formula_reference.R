# Reference numbers and names from R's brms 2.18 for tests/formula/test_formula_r.py.
#
# Writes tests/reference/r_formula_data.csv (the data the cases use) and
# tests/reference/r_formula.json: for each case brms's make_standata() design
# columns (names and values), response, addition values and group-level
# indices, or brms's error; for new-data cases standata(fit, newdata = ...)
# of brm(..., empty = TRUE).  The tests never run R.
#
# Run from the repository root:  Rscript tools/r_formula_reference.R

suppressMessages({
  library(brms)
  library(jsonlite)
})
stopifnot(packageVersion("brms") >= "2.18.0")
out_dir <- "tests/reference"

set.seed(20240518)
n <- 24
fd <- data.frame(
  y = round(rnorm(n, 10, 2), 4),
  x = round(rnorm(n), 4),
  z = round(runif(n, -2, 2), 4),
  w = round(runif(n, 0.5, 3), 4),
  ntr = sample(10:20, n, replace = TRUE),
  cnt = rpois(n, 4),
  g = rep(c("a", "b", "c", "d"), length.out = n),
  f = rep(c("lo", "mid", "hi"), each = 2, length.out = n),
  o = rep(c("lo", "mid", "hi"), length.out = n),
  o5 = rep(paste0("v", 1:5), length.out = n),
  u = rep(c("p", "q", "r"), length.out = n),
  b = rep(c(TRUE, FALSE, FALSE), length.out = n),
  per = rep(c("1", "2", "3", "4"), each = 6),
  cyl = rep(c(4L, 6L, 8L), length.out = n),
  zna = round(rnorm(n), 4),
  stringsAsFactors = FALSE
)
fd$k <- pmin(fd$ntr, rbinom(n, fd$ntr, 0.4))
fd$zna[c(3, 17)] <- NA
write.csv(fd, file.path(out_dir, "r_formula_data.csv"), row.names = FALSE, na = "")

# R types that the Python side gives with pandas dtypes (see tests/formula/test_formula_r.py: load_fd)
typed <- function(d) {
  d$o <- factor(d$o, levels = c("lo", "mid", "hi"), ordered = TRUE)
  d$o5 <- factor(d$o5, levels = paste0("v", 1:5), ordered = TRUE)
  d$u <- factor(d$u, levels = c("p", "q", "r", "s"))  # 's' is an unused level
  d
}
fd <- typed(fd)
sleep <- lme4::sleepstudy
sleep$Subject <- as.character(sleep$Subject)
mt <- mtcars
write.csv(cbind(model = rownames(mt), mt), file.path(out_dir, "r_formula_mtcars.csv"), row.names = FALSE)
datasets <- list(fd = fd, sleepstudy = sleep, mtcars = mt, cbpp = lme4::cbpp)

num <- function(x) if (is.null(x)) NULL else unname(round(as.numeric(x), 10))
mat <- function(X) {
  if (is.null(X)) return(NULL)
  X <- as.matrix(X)
  list(names = colnames(X), values = lapply(seq_len(ncol(X)), function(j) num(X[, j])))
}
pick <- function(sd) {
  out <- list(X = mat(sd$X), Y = num(sd$Y))
  for (nm in c("trials", "weights", "denom")) if (!is.null(sd[[nm]])) out[[nm]] <- num(sd[[nm]])
  for (nm in grep("^(Z_|J_)", names(sd), value = TRUE)) out[[nm]] <- num(sd[[nm]])
  for (nm in grep("^X_|^Xcs", names(sd), value = TRUE)) out[[nm]] <- mat(sd[[nm]])
  out$N <- sd$N
  out
}

cases <- list()
add <- function(id, formula, data = "fd", family = "gaussian", newdata = NULL) {
  cases[[length(cases) + 1]] <<- list(id = id, formula = formula, data = data, family = family, newdata = newdata)
}

# issue 18 cases and R operators in I()
add("sleep_I_Days2", "Reaction ~ Days + I(Days^2) + (1 | Subject)", "sleepstudy")
add("I_x2_x3_float", "y ~ x + I(x^2) + I(x^3)")
add("I_power_star", "y ~ I(x**2) + I(2^-1 * x)")
add("I_center_mean", "y ~ I(x - mean(x))")
add("I_scalars", "y ~ I(z / sd(z)) + I(x - median(x)) + I((x - min(x)) / (max(x) - min(x))) + I(w / sum(w))")
add("I_compare", "y ~ I(x == max(x)) + I(f == \"lo\") + I(x > 0 & z < 0) + I(!b)")
add("I_logical_times", "y ~ I(x * (x > 0)) + I(cnt %/% 2) + I(cnt %% 3)")
add("I_in", "y ~ I(f %in% c(\"lo\", \"mid\"))")
add("paren_compare", "y ~ (x > 0)")  # brms fails: brmspy refuses, naming I()
add("top_modulo", "y ~ x %% 2")
add("math", "y ~ sqrt(abs(x)) + log(abs(z) + 1) + exp(z/10) + log(w, base = 2) + log10(w) + log2(w) + log1p(w)")
add("math2", "y ~ trunc(x) + round(x, 1) + floor(x) + ceiling(x) + sign(x) + exp(-x^2) + expm1(z)")
add("trig", "y ~ sin(x) + cos(x) + atan(z) + tanh(z)")
add("ifelse_pmin", "y ~ ifelse(x > 0, x, 0) + pmin(x, 0.5) + pmax(z, -0.5)")
add("as_numeric", "y ~ as.numeric(o) + as.integer(x * 10)")
add("more_math", "y ~ plogis(x) + qnorm(pnorm(x)) + lgamma(w) + digamma(w) + cospi(x) + lfactorial(cnt) + logm1(w + 1) + expp1(z)")
add("more_math2", "y ~ signif(x, 2) + atan2(z, x) + log(w + 3, base = 10) + round(x * 100 + 0.5) + round(z, 2)")
add("aggregates2", "y ~ I(x / var(x)) + I(x * prod(c(1, 2))) + I(x / length(x)) + I(x - max(x, z))")
add("char_functions", "y ~ toupper(g) + paste(g, f) + paste0(f, \"_\", g)")
add("logic_functions", "y ~ I(xor(b, x > 0)) + I(is.na(zna)) + as.logical(cnt > 3)")
add("factor_functions", "y ~ droplevels(u) + as.ordered(cyl)")
add("interaction_fn", "y ~ interaction(f, g)")
add("as_character", "y ~ as.character(cyl)")
add("factor_labels", "y ~ factor(cyl, labels = c(\"four\", \"six\", \"eight\"))")
add("ordered_compare", "y ~ I(o > \"lo\")")
add("scale_in_I", "y ~ I(scale(x)^2)")
add("cbind_predictor", "y ~ cbind(x, z)")
add("poly_interaction", "y ~ poly(x, 2):f")
add("centered_interaction", "y ~ I(x - mean(x)):f")
add("modulo_ops", "y ~ I(-cnt %% 3) + I(-cnt %/% 3) + I(x %% 0.5)")
# term algebra
add("power_sum", "y ~ (x + z + f)^2")
add("star_minus", "y ~ x * z * f - x:z:f")
add("nest_slash", "y ~ f/x")
add("in_op", "y ~ x %in% f")
add("in_op2", "y ~ f + x %in% f")
add("minus1", "y ~ x - 1")
add("zero_plus", "y ~ 0 + x + z")
add("minus1_factor", "y ~ -1 + f")
add("zero_two_factors", "y ~ 0 + f + g")
add("intercept_term", "y ~ 0 + Intercept + x")
add("intercept_term_factor", "y ~ 0 + Intercept + f")
add("identical_group_terms", "y ~ x + (1 | g) + (1 | g)")
add("interaction_only", "y ~ f:x")
add("interaction_factors", "y ~ f:g")
add("order_by_appearance", "y ~ z + f:z + x")
add("keep_first", "y ~ x:f + f:x + f")
add("num_product", "y ~ x:z + x*w")
# factors and dtypes
add("mtcars_factor_cyl", "mpg ~ factor(cyl) + wt", "mtcars")
add("mtcars_factor_cyl_x", "mpg ~ factor(cyl) * wt", "mtcars")
add("mtcars_as_factor", "mpg ~ as.factor(gear) + hp", "mtcars")
add("factor_levels", "y ~ factor(f, levels = c(\"mid\", \"lo\", \"hi\"))")
add("relevel", "y ~ relevel(factor(f), ref = \"mid\")")
add("factor_int", "y ~ factor(cyl)")
add("character", "y ~ g")
add("digit_character", "y ~ per")
add("logical", "y ~ b")
add("logical_x", "y ~ b + x:b")
add("unused_level", "y ~ u")
add("ordered", "y ~ o")
add("ordered5", "y ~ o5")
add("ordered_nointercept", "y ~ 0 + o")
add("ordered_slope", "y ~ x:o")
add("ordered_by_factor", "y ~ o * f")
add("factor_ordered_call", "y ~ ordered(f, levels = c(\"lo\", \"mid\", \"hi\"))")
# '.': every column not on the left-hand side (all dtypes of the data at once)
add("dot_all", "y ~ .")
add("dot_minus", "y ~ . - zna - per - o5")
# stateful transforms
add("poly2", "y ~ poly(x, 2)")
add("poly3_z", "y ~ poly(x, 3) + z")
add("poly_raw", "y ~ poly(x, 2, raw = TRUE)")
add("scale", "y ~ scale(x) + scale(z, scale = FALSE) + scale(w, center = FALSE)")
# NA rows: variables are evaluated before NA rows are dropped (brms's model frame)
add("na_mean_all_rows", "y ~ I(x - mean(x)) + scale(z) + zna")
# group-level terms
add("group_slope", "y ~ x + (1 + x | g)")
add("group_factor", "y ~ x + (0 + f | g)")
add("group_expr", "y ~ x + (1 + I(x^2) | g)")
add("group_ordered", "y ~ x + (o | g)")
add("group_ordered_full", "y ~ x + (0 + o | g)")
add("group_digit_strings", "y ~ x + (1 | per) + (0 + x | u)")
add("group_nested", "y ~ x + (1 | g/f)")
add("cbpp", "incidence | trials(size) ~ period + (1 | herd)", "cbpp", family = "binomial")
# responses and addition terms
add("resp_log", "log(cnt + 1) ~ x")
add("resp_logical", "I(y > 10) ~ x", family = "bernoulli")
add("trials", "k | trials(ntr) ~ x", family = "binomial")
add("trials_expr", "k | trials(ntr + 0) ~ x", family = "binomial")
add("weights_expr", "y | weights(w / 2) ~ x")
add("rate", "cnt | rate(w) ~ x", family = "poisson")
add("cs_expr", "cnt ~ cs(x) + z", family = "acat")
# new data: stored transforms and levels (brm(..., empty = TRUE) + standata(newdata = ))
nd <- data.frame(x = c(3, -2, 0.5), z = c(0.1, 1, -1), w = c(1, 2, 3), f = c("hi", "mid", "lo"), g = c("b", "c", "a"),
                 o = c("hi", "lo", "mid"), cyl = c(8L, 6L, 4L), y = 0, stringsAsFactors = FALSE)
nd$o <- factor(nd$o, levels = c("lo", "mid", "hi"), ordered = TRUE)
add("new_poly_scale", "y ~ poly(x, 2) + scale(z)", newdata = "nd")
add("new_I_mean", "y ~ I(x - mean(x))", newdata = "nd")
add("new_factors", "y ~ f + o + g + factor(cyl)", newdata = "nd")
add("new_group_slope", "y ~ x + (1 + x | g)", newdata = "nd")

results <- list()
for (cs in cases) {
  d <- datasets[[cs$data]]
  fam <- get(cs$family, mode = "function")()
  res <- list(id = cs$id, formula = cs$formula, data = cs$data, family = cs$family)
  r <- tryCatch({
    if (is.null(cs$newdata)) {
      sd <- suppressWarnings(suppressMessages(make_standata(as.formula(cs$formula), d, family = fam)))
      gp <- as.data.frame(unclass(suppressWarnings(suppressMessages(get_prior(as.formula(cs$formula), d, family = fam)))))
      list(standata = pick(sd), prior = list(class = gp$class, coef = gp$coef, group = gp$group))
    } else {
      fit <- suppressWarnings(suppressMessages(brm(as.formula(cs$formula), d, family = fam, empty = TRUE)))
      sd <- suppressWarnings(suppressMessages(make_standata(as.formula(cs$formula), d, family = fam)))
      snd <- standata(fit, newdata = nd)
      list(standata = pick(sd), newdata = list(x = nd$x, z = nd$z, w = nd$w, f = nd$f, g = nd$g, o = as.character(nd$o),
                                             cyl = nd$cyl), standata_new = pick(snd))
    }
  }, error = function(e) list(error = conditionMessage(e)))
  results[[length(results) + 1]] <- c(res, r)
}

# R's deparse of the expressions whose names brms's rename() is applied to
deparses <- c("x/2", "x * 2", "x**2", "-x", "x %in% c(1, 2)", "x%%2", "x%/%2", "(x+1)^2", "round(x, digits=2)", "1e3",
              "100000", "123456", ".5", "2L", "0.0001", "0.001", "1.50", "x==2", "x>=2&y<3", "'a'", "-2^2", "2^-1",
              "x - -1", "a+-b", "1e15", "0.1234567890123456", "!x", "-(x)", "+x", "log(x, base = 2)")
dep <- lapply(deparses, function(s) list(input = s, deparse = deparse(str2lang(s))))

terms_cases <- c("b %in% a", "a + b %in% a", "(a+b)*(c+d)", "(a+b+c)^2", "a/b", "(a+b)/c", "a/(b+c)", "x > 2",
                 "x + z > 2", "a:b + a", "b:a + a:b", "x - 0", "-1 + x", "x + -1", "a*b - a", "a*b*c - a:b:c",
                 "(a+b+c)^2 - a:b", "x %% 2", "!x", "a^2", "(a + b)^3", "a:a", "x + log(x) + x:log(x)",
                 "c:a + b + a", "0 + x + 1", "1 + x + 0", "a %in% (b + c)", "(a + b) %in% c", "a:(b + c)",
                 "(a + b):(c + d)", "a * (b + c) ^ 2", "-x", "a*b + b*c")
trm <- lapply(terms_cases, function(s) {
  t <- terms(as.formula(paste("y ~", s)))
  list(rhs = s, labels = as.list(attr(t, "term.labels")), intercept = attr(t, "intercept"))
})

write_json(list(brms_version = as.character(packageVersion("brms")), R_version = R.version.string,
                cases = results, deparse = dep, terms = trm),
           file.path(out_dir, "r_formula.json"), auto_unbox = TRUE, digits = NA, null = "null", na = "null")
cat("wrote", length(results), "cases\n")
