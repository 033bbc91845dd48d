  /* brms's skew_normal has mean mu and sd sigma; Stan's skew_normal_lpdf takes
   * location xi = mu - sigma * skew_normal_shift(alpha) and scale
   * omega = sigma * skew_normal_scale(alpha), where delta = alpha / sqrt(1 + alpha^2),
   * omega = sigma / sqrt(1 - 2 / pi() * delta^2) and xi = mu - omega * delta * sqrt(2 / pi())
   */
  real skew_normal_scale(real alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) / (1 + square(alpha)));
  }
  vector skew_normal_scale(vector alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) ./ (1 + square(alpha)));
  }
  real skew_normal_shift(real alpha) {
    return sqrt(2 / pi()) * alpha / sqrt(1 + square(alpha)) * skew_normal_scale(alpha);
  }
  vector skew_normal_shift(vector alpha) {
    return sqrt(2 / pi()) * alpha ./ sqrt(1 + square(alpha)) .* skew_normal_scale(alpha);
  }
