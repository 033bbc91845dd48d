# brms 2.18 reference outputs for tests/package/test_brms_reference.py (development-time oracle; CI never runs R).
#
# Do not run this directly: `python tools/brms_reference.py` writes the corpus (cases.json), the data
# sets and their column-type schema, then calls
#
#     Rscript tools/brms_reference.R CASES_JSON DATA_DIR OUT_DIR
#
# which, for every case, runs brms's make_standata() (every array, with the column names of X, Z, ...
# and dims), get_prior() (the whole table), validate_prior() (when the case sets priors), the group-level
# table (id, group, coef, ...) and the levels of every grouping factor, and records brms's error message
# where it refuses (in make_standata(), or in make_stancode() for refusals that come only there, or, for
# cases with user priors, in Stan's parser: rstan::stanc() on brms's program). One plain JSON file per case goes to OUT_DIR; the Python driver rounds, compresses
# and commits them under tests/reference/brms/cases/.
#
# Needs R with brms 2.18, rstan and jsonlite (Debian: apt-get install r-cran-brms).

suppressPackageStartupMessages({
  library(brms)
  library(jsonlite)
})
# Sorting (factor levels, get_prior()'s rows) follows R's default collation here (C.UTF-8, which R
# sorts with ICU, as in the en_US locales most brms users have): "b" < "cor" < "Intercept".
if (Sys.getlocale("LC_COLLATE") %in% c("C", "POSIX")) invisible(Sys.setlocale("LC_COLLATE", "C.UTF-8"))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript tools/brms_reference.R CASES_JSON DATA_DIR OUT_DIR")
cases_file <- args[1]
data_dir <- args[2]
out_dir <- args[3]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

cases <- fromJSON(cases_file, simplifyVector = FALSE)
schema <- fromJSON(file.path(data_dir, "schema.json"), simplifyVector = FALSE)

# ------------------------------------------------------------------ data sets, typed by the schema
read_dataset <- function(name) {
  spec <- schema$datasets[[name]]
  raw <- read.csv(file.path(data_dir, paste0(name, ".csv")), colClasses = "character",
                  na.strings = "NA", check.names = FALSE)
  out <- list()
  for (col in names(spec$columns)) {
    cs <- spec$columns[[col]]
    x <- raw[[col]]
    out[[col]] <- switch(cs$type,
      numeric = as.numeric(x),
      integer = as.integer(x),
      character = x,
      logical = as.logical(x),
      factor = factor(x, levels = unlist(cs$levels)),
      ordered = factor(x, levels = unlist(cs$levels), ordered = TRUE),
      stop("unknown column type ", cs$type)
    )
  }
  df <- as.data.frame(out, stringsAsFactors = FALSE, check.names = FALSE)
  # matrix columns (multinomial / dirichlet responses are one matrix column in brms)
  for (m in names(spec$matrices)) {
    df[[m]] <- as.matrix(df[, unlist(spec$matrices[[m]]), drop = FALSE])
  }
  df
}
read_data2 <- function(name) {
  spec <- schema$data2[[name]]
  m <- as.matrix(read.csv(file.path(data_dir, paste0(name, ".csv")), row.names = 1, check.names = FALSE))
  storage.mode(m) <- "double"
  m
}
datasets <- list()
for (name in names(schema$datasets)) datasets[[name]] <- read_dataset(name)

# ------------------------------------------------------------------ output helpers
array_json <- function(x) {
  if (is.logical(x)) storage.mode(x) <- "integer"
  d <- dim(x)
  cn <- NULL
  if (length(d) >= 2) {
    cn <- colnames(x)
    v <- as.vector(aperm(x, rev(seq_along(d))))  # row-major (C order)
  } else {
    v <- as.vector(x)
    if (is.null(d)) d <- if (length(v) == 1) integer(0) else length(v)
  }
  list(dim = as.integer(d), v = v, colnames = cn, int = is.integer(x))
}
table_json <- function(tab) {
  tab <- as.data.frame(unclass(tab), stringsAsFactors = FALSE)
  lapply(tab, function(col) as.character(col))
}
run <- function(expr, log) {
  withCallingHandlers(
    tryCatch(list(value = eval.parent(substitute(expr)), error = NULL),
             error = function(e) list(value = NULL, error = conditionMessage(e))),
    warning = function(w) { log$warnings <- c(log$warnings, conditionMessage(w)); invokeRestart("muffleWarning") },
    message = function(m) { log$messages <- c(log$messages, trimws(conditionMessage(m))); invokeRestart("muffleMessage") }
  )
}

# ------------------------------------------------------------------ one case
one_case <- function(case) {
  log <- new.env()
  log$warnings <- character(0)
  log$messages <- character(0)
  data <- datasets[[case$data]]
  data2 <- NULL
  if (length(case$data2)) {
    data2 <- list()
    for (nm in names(case$data2)) data2[[nm]] <- read_data2(case$data2[[nm]])
  }
  r <- case$r
  setup <- run(list(
    formula = eval(parse(text = r$formula)),
    family = if (is.null(r$family)) NULL else eval(parse(text = r$family)),
    prior = if (is.null(r$prior)) NULL else eval(parse(text = r$prior))
  ), log)
  res <- list(id = case$id, brms = as.character(packageVersion("brms")))
  if (!is.null(setup$error)) {
    res$standata_error <- setup$error
    res$prior_error <- setup$error
  } else {
    s <- setup$value
    fam <- if (is.null(s$family)) gaussian() else s$family
    sd <- run(make_standata(s$formula, data = data, family = fam, prior = s$prior, data2 = data2), log)
    if (is.null(sd$error)) {
      res$standata <- lapply(unclass(sd$value), array_json)
      # some refusals come only when brms writes the Stan program (e.g. a prior on the wrong class)
      sc <- run(make_stancode(s$formula, data = data, family = fam, prior = s$prior, data2 = data2), log)
      if (!is.null(sc$error)) {
        res$stancode_error <- sc$error
      } else if (!is.null(s$prior)) {
        # user priors brms passes on unchecked (lkj on b, ...) fail in Stan's parser: brm() refuses them
        txt <- capture.output(st <- tryCatch(rstan::stanc(model_code = sc$value)$status,
                                             error = function(e) conditionMessage(e)))
        if (!isTRUE(st)) res$stanc_error <- paste(c(grep("error|Error", txt, value = TRUE), st), collapse = "\n")
      }
    } else {
      res$standata_error <- sd$error
    }
    gp <- run(get_prior(s$formula, data = data, family = fam, data2 = data2), log)
    if (is.null(gp$error)) res$prior <- table_json(gp$value) else res$prior_error <- gp$error
    if (!is.null(s$prior)) {
      vp <- run(validate_prior(s$prior, s$formula, data = data, family = fam, data2 = data2), log)
      if (is.null(vp$error)) res$validated_prior <- table_json(vp$value) else res$validated_prior_error <- vp$error
    }
    if (is.null(sd$error)) {
      re <- run({
        bf <- brms:::validate_formula(s$formula, data = data, family = fam)
        bt <- brms:::brmsterms(bf)
        dv <- brms:::validate_data(data, bterms = bt, data2 = data2)
        tr <- brms:::tidy_ranef(bt, data = dv)
        list(table = tr, levels = attr(tr, "levels"))
      }, log)
      if (is.null(re$error) && NROW(re$value$table)) {
        tr <- as.data.frame(re$value$table)
        res$ranef <- lapply(tr[, c("id", "group", "gn", "coef", "cn", "resp", "dpar", "nlpar", "cor", "type", "by", "gtype")],
                            function(col) as.character(col))
        res$levels <- lapply(re$value$levels, as.character)
      }
    }
  }
  res$warnings <- unique(log$warnings)
  res$messages <- unique(log$messages)
  res
}

for (case in cases) {
  res <- one_case(case)
  writeLines(toJSON(res, digits = I(10), na = "string", null = "null", auto_unbox = FALSE),
             file.path(out_dir, paste0(case$id, ".json")))
}
cat("wrote", length(cases), "cases to", out_dir, "\n")
