  /* inverse of the cauchit link */
  vector inv_cauchit(vector x) {
    return atan(x) / pi() + 0.5;
  }
  real inv_cauchit(real x) {
    return atan(x) / pi() + 0.5;
  }
