  /* log density of an intrinsic CAR field (exact sparse form; rank Nloc - 1)
   * Args: as sparse_car_lpdf without car (eigenW is unused, kept for brms's signature)
   */
  real sparse_icar_lpdf(vector phi, real sdcar, int Nloc, int Nedges,
                        data vector Nneigh, data vector eigenW,
                        array[] int edges1, array[] int edges2) {
    real tau = inv_square(sdcar);
    real phiDphi = dot_product(phi .* Nneigh, phi);
    real phiWphi = 2 * dot_product(phi[edges1], phi[edges2]);
    return 0.5 * ((Nloc - 1) * log(tau) - tau * (phiDphi - phiWphi));
  }
