// generated with brmspy
functions {
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
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> Ksp;  // number of special effects terms
  // covariates of special effects terms
  vector[N] Csp_1;  // covariate of moxmo:fa
  vector[N] Csp_2;  // covariate of moxmo:fb
  vector[N] Csp_3;  // covariate of moxmo:fc
  int<lower=1> Imo;  // number of monotonic variables
  array[Imo] int<lower=1> Jmo;  // length of simplexes
  array[N] int Xmo_1;  // monotonic variable mo(xmo) in moxmo:fa
  vector[Jmo[1]] con_simo_1;  // prior concentration of monotonic simplex
  array[N] int Xmo_2;  // monotonic variable mo(xmo) in moxmo:fb
  vector[Jmo[2]] con_simo_2;  // prior concentration of monotonic simplex
  array[N] int Xmo_3;  // monotonic variable mo(xmo) in moxmo:fc
  vector[Jmo[3]] con_simo_3;  // prior concentration of monotonic simplex
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  simplex[Jmo[1]] simo_1;  // monotonic simplex of mo(xmo) in moxmo:fa
  simplex[Jmo[2]] simo_2;  // monotonic simplex of mo(xmo) in moxmo:fb
  simplex[Jmo[3]] simo_3;  // monotonic simplex of mo(xmo) in moxmo:fc
  vector[Ksp] bsp;  // special effects coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += dirichlet_lpdf(simo_1 | con_simo_1);
  lprior += dirichlet_lpdf(simo_2 | con_simo_2);
  lprior += dirichlet_lpdf(simo_3 | con_simo_3);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) .* Csp_1 + bsp[2] * mo(simo_2, Xmo_2) .* Csp_2 + bsp[3] * mo(simo_3, Xmo_3) .* Csp_3;
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
