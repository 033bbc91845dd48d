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
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> Ksp;  // number of special effects terms
  // covariates of special effects terms
  vector[N] Csp_1;  // covariate of z:mo(x1, id = 'v')
  vector[N] Csp_2;  // covariate of z:mo(x2, id = 'w')
  vector[N] Csp_3;  // covariate of z:mo(x1, id = 'v'):mo(x2, id = 'w')
  int<lower=1> Imo;  // number of monotonic variables
  array[Imo] int<lower=1> Jmo;  // length of simplexes
  array[N] int Xmo_1;  // monotonic variable mo(x1, id = 'v')
  vector[Jmo[1]] con_simo_1;  // prior concentration of monotonic simplex
  array[N] int Xmo_2;  // monotonic variable mo(x2, id = 'w')
  vector[Jmo[2]] con_simo_2;  // prior concentration of monotonic simplex
  array[N] int Xmo_3;  // monotonic variable mo(x1, id = 'v') in z:mo(x1, id = 'v')
  array[N] int Xmo_4;  // monotonic variable mo(x2, id = 'w') in z:mo(x2, id = 'w')
  array[N] int Xmo_5;  // monotonic variable mo(x1, id = 'v') in mo(x1, id = 'v'):mo(x2, id = 'w')
  array[N] int Xmo_6;  // monotonic variable mo(x2, id = 'w') in mo(x1, id = 'v'):mo(x2, id = 'w')
  array[N] int Xmo_7;  // monotonic variable mo(x1, id = 'v') in z:mo(x1, id = 'v'):mo(x2, id = 'w')
  array[N] int Xmo_8;  // monotonic variable mo(x2, id = 'w') in z:mo(x1, id = 'v'):mo(x2, id = 'w')
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  simplex[Jmo[1]] simo_1;  // monotonic simplex of mo(x1, id = 'v')
  simplex[Jmo[2]] simo_2;  // monotonic simplex of mo(x2, id = 'w')
  vector[Ksp] bsp;  // special effects coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  simplex[Jmo[3]] simo_3 = simo_1;  // shared simplex (id)
  simplex[Jmo[4]] simo_4 = simo_2;  // shared simplex (id)
  simplex[Jmo[5]] simo_5 = simo_1;  // shared simplex (id)
  simplex[Jmo[6]] simo_6 = simo_2;  // shared simplex (id)
  simplex[Jmo[7]] simo_7 = simo_1;  // shared simplex (id)
  simplex[Jmo[8]] simo_8 = simo_2;  // shared simplex (id)
  lprior += dirichlet_lpdf(simo_1 | con_simo_1);
  lprior += dirichlet_lpdf(simo_2 | con_simo_2);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * mo(simo_2, Xmo_2) + bsp[3] * mo(simo_3, Xmo_3) .* Csp_1 + bsp[4] * mo(simo_4, Xmo_4) .* Csp_2 + bsp[5] * mo(simo_5, Xmo_5) .* mo(simo_6, Xmo_6) + bsp[6] * mo(simo_7, Xmo_7) .* mo(simo_8, Xmo_8) .* Csp_3;
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
