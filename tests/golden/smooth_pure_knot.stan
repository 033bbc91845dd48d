// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data for splines
  int Ks;  // number of linear effects
  matrix[N, Ks] Xs;  // design matrix for the linear effects
  // data for spline 1: s(h)
  int nb_1;  // number of bases
  array[nb_1] int knots_1;  // number of knots
  // basis function matrices
  matrix[N, knots_1[1]] Zs_1_1;
  vector[nb_1] prior_sds_1_df;
  vector[nb_1] prior_sds_1_loc;
  vector[nb_1] prior_sds_1_scale;
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
  vector[Ks] bs;  // unpenalized spline coefficients
  // parameters for spline 1: s(h)
  // standardized penalized spline coefficients
  vector[knots_1[1]] zs_1_1;
  vector<lower=0>[nb_1] sds_1;  // SDs of penalized spline coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // penalized spline coefficients of s(h)
  vector[knots_1[1]] s_1_1;
  // compute penalized spline coefficients of s(h)
  s_1_1 = sds_1[1] * zs_1_1;
  lprior += student_t_lpdf(sds_1 | prior_sds_1_df, prior_sds_1_loc, prior_sds_1_scale)
    - student_t_lccdf(rep_vector(0, nb_1) | prior_sds_1_df, prior_sds_1_loc, prior_sds_1_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xs * bs + Zs_1_1 * s_1_1;
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zs_1_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
