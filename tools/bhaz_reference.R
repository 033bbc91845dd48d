# splines2's M- and I-spline bases as brms 2.18 builds them for the cox family's baseline hazard
# (bhaz_basis_matrix): reference numbers for tests/frame/test_bhaz.py.
# Run from the repository root: Rscript tools/bhaz_reference.R
suppressMessages(library(brms))
library(jsonlite)
set.seed(21)
y1 <- round(rexp(30, 0.7), 4)
y2 <- round(rweibull(25, 1.5, 3), 4)
cases <- list(
  list(id = "default", y = y1, args = list(df = 5L, intercept = TRUE)),
  list(id = "df7", y = y2, args = list(df = 7L, intercept = TRUE)),
  list(id = "no_intercept", y = y1, args = list(df = 6L, intercept = FALSE)),
  list(id = "degree2", y = y2, args = list(df = 5L, intercept = TRUE, degree = 2L)),
  list(id = "knots", y = y1, args = list(df = 5L, intercept = TRUE, knots = c(0.5, 1, 2))),
  list(id = "boundary", y = y2, args = list(df = 5L, intercept = TRUE, Boundary.knots = c(0, 12)))
)
newx <- c(0.01, 0.3, 1.7, 4.2)
out <- lapply(cases, function(cs) {
  M <- brms:::bhaz_basis_matrix(cs$y, cs$args)
  I <- brms:::bhaz_basis_matrix(cs$y, cs$args, integrate = TRUE)
  inside <- newx[newx >= attr(M, "Boundary.knots")[1] & newx <= attr(M, "Boundary.knots")[2]]
  list(id = cs$id, y = cs$y, args = cs$args,
       knots = as.numeric(attr(M, "knots")), boundary = as.numeric(attr(M, "Boundary.knots")),
       M = unclass(M)[, , drop = FALSE], I = unclass(I)[, , drop = FALSE],
       newx = inside,
       M_new = unname(predict(M, inside)), I_new = unname(brms:::bhaz_basis_matrix(NULL, basis = M, integrate = TRUE, y = inside)))
})
out <- lapply(out, function(o) { o$M <- unname(matrix(o$M, nrow(o$M))); o$I <- unname(matrix(o$I, nrow(o$I))); o })
writeLines(toJSON(out, digits = 15, auto_unbox = TRUE, matrix = "rowmajor"), "tests/reference/bhaz_splines2.json")
