  /* inverse of the tan_half link: angles in (-pi, pi) */
  vector inv_tan_half(vector x) {
    return 2 * atan(x);
  }
  real inv_tan_half(real x) {
    return 2 * atan(x);
  }
