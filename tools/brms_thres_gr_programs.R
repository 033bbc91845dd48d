# brms 2.18 programs and Stan data of thres(gr = g) models, for tests/codegen/test_thres_gr_brms_program.py.
# Run with R (brms 2.18, jsonlite): Rscript tools/brms_thres_gr_programs.R; then gzip thres_gr.json.
suppressMessages(library(brms)); library(jsonlite)
set.seed(3)
n <- 60
d <- data.frame(x = round(rnorm(n), 3), z = round(rnorm(n), 3), g = sample(c("a","b","c"), n, TRUE))
d$y <- sample(1:5, n, TRUE); d$y[d$g == "c"] <- pmin(d$y[d$g == "c"], 3)
cases <- list(
  acat_probit_disc = list(f = bf(y | thres(gr = g) ~ x, disc ~ z), fam = acat(link = "probit")),
  cumulative_logit = list(f = bf(y | thres(gr = g) ~ x + z), fam = cumulative()),
  cumulative_equidistant = list(f = bf(y | thres(gr = g) ~ x), fam = cumulative(threshold = "equidistant"))
)
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  out[[nm]] <- list(code = make_stancode(cs$f, d, family = cs$fam), data = unclass(make_standata(cs$f, d, family = cs$fam)))
}
write_json(list(data = d, cases = out), "thres_gr.json", digits = NA, auto_unbox = TRUE)  # gzip into tests/reference/brms/programs/
