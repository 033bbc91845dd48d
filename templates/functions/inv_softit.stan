  /* inverse of the softit link: a value in (0, 1) */
  vector inv_softit(vector y) {
    return log1p_exp(y) ./ (1 + log1p_exp(y));
  }
  real inv_softit(real y) {
    return log1p_exp(y) / (1 + log1p_exp(y));
  }
