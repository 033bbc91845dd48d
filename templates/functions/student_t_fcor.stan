  /* log density of a response with a known residual correlation structure (fcor()):
   * one multivariate Student-t with scale matrix diag(sigma) M diag(sigma), M = Lcor Lcor'
   */
  real student_t_fcor_hom_lpdf(vector y, real nu, vector mu, real sigma, data matrix Lcor) {
    return multi_student_t_lpdf(y | nu, mu, multiply_lower_tri_self_transpose(sigma * Lcor));
  }
  real student_t_fcor_het_lpdf(vector y, real nu, vector mu, vector sigma, data matrix Lcor) {
    return multi_student_t_lpdf(y | nu, mu, multiply_lower_tri_self_transpose(diag_pre_multiply(sigma, Lcor)));
  }
