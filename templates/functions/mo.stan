  /* compute monotonic effects
   * Args:
   *   scale: a simplex parameter
   *   X: values of the monotonic predictor, integers between 0 and rows(scale)
   * Returns:
   *   a vector of values between 0 and rows(scale): rows(scale) * sum(scale[1:X[n]])
   */
  vector mo(vector scale, array[] int X) {
    vector[rows(scale) + 1] cum = append_row(0, rows(scale) * cumulative_sum(scale));
    vector[size(X)] out;
    for (n in 1:size(X)) {
      out[n] = cum[X[n] + 1];
    }
    return out;
  }
