  /* latent residuals with an unstructured correlation of the time points (unstr())
   * Args:
   *   zerr: independent standard normal values, one per row
   *   sderr: standard deviation of the residuals
   *   Lcor: cholesky factor of the correlation matrix of all time points
   *   nobs, begin, end: rows of each series (sorted, contiguous)
   *   Jtime: time point (1-based) of each row of each series, 0 after its last row
   * Returns:
   *   per series, sderr times the cholesky factor of the correlations of its time points times zerr
   */
  vector scale_time_err_flex(vector zerr, real sderr, matrix Lcor,
                             array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    vector[rows(zerr)] err;
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      err[begin[i]:end[i]] = sderr * (cholesky_decompose(Cor[t, t]) * zerr[begin[i]:end[i]]);
    }
    return err;
  }
