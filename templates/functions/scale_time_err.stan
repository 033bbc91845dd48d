  /* latent residuals correlated within each series
   * Args:
   *   zerr: independent standard normal values, one per row
   *   sderr: standard deviation of the residuals
   *   chol_cor: Cholesky factor of the correlation matrix of the longest series
   *   nobs, begin, end: rows of each series (sorted, contiguous)
   * Returns:
   *   sderr times the leading block of chol_cor times zerr, series by series
   */
  vector scale_time_err(vector zerr, real sderr, matrix chol_cor,
                        array[] int nobs, array[] int begin, array[] int end) {
    vector[rows(zerr)] err;
    for (i in 1:size(nobs)) {
      err[begin[i]:end[i]] = sderr * chol_cor[1:nobs[i], 1:nobs[i]] * zerr[begin[i]:end[i]];
    }
    return err;
  }
