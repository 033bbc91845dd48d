  /* log density of a proper CAR field (exact sparse form, Joseph 2016)
   * Args:
   *   phi: spatial effects of the locations
   *   car: spatial autocorrelation in [0, 1)
   *   sdcar: standard deviation (precision 1 / sdcar^2)
   *   Nneigh: number of neighbours per location
   *   eigenW: eigenvalues of D^(-1/2) W D^(-1/2)
   *   edges1, edges2: the neighbour pairs (each once)
   */
  real sparse_car_lpdf(vector phi, real car, real sdcar, int Nloc, int Nedges,
                       data vector Nneigh, data vector eigenW,
                       array[] int edges1, array[] int edges2) {
    real tau = inv_square(sdcar);
    real phiDphi = dot_product(phi .* Nneigh, phi);
    // phi' W phi counts each neighbour pair twice
    real phiWphi = 2 * dot_product(phi[edges1], phi[edges2]);
    return 0.5 * (Nloc * log(tau) + sum(log1m(car * eigenW)) - tau * (phiDphi - car * phiWphi));
  }
