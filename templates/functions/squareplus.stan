  /* squareplus inverse link function (squareplus itself) */
  vector squareplus(vector x) {
    return (x + sqrt(square(x) + 4)) / 2;
  }
  real squareplus(real x) {
    return (x + sqrt(square(x) + 4)) / 2;
  }
