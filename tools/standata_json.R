# Stan data (make_standata()) as JSON, shared by the tools/*.R reference scripts (run from the repository root).
# JSON with 17 significant digits (jsonlite stops at 15, which does not round-trip doubles):
# matrices row by row, 1-d arrays and vectors of length != 1 as lists, the rest as scalars
num <- function(x) if (is.integer(x)) as.character(x) else sprintf("%.17g", x)
to_json <- function(sdata) {
  item <- function(x) {
    if (is.matrix(x)) {
      rows <- vapply(seq_len(nrow(x)), function(i) paste0("[", paste(num(x[i, ]), collapse = ","), "]"), "")
      return(paste0("[", paste(rows, collapse = ","), "]"))
    }
    if (is.array(x) || length(x) != 1) return(paste0("[", paste(num(as.vector(x)), collapse = ","), "]"))
    num(x)
  }
  keep <- !vapply(sdata, is.null, TRUE)
  paste0("{", paste(sprintf('"%s": %s', names(sdata)[keep], vapply(sdata[keep], item, "")), collapse = ",\n"), "}")
}
