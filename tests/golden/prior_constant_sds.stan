// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data for splines
  int Ks;  // number of linear effects
  matrix[N, Ks] Xs;  // design matrix for the linear effects
  // data for spline 1: s(z)
  int nb_1;  // number of bases
  array[nb_1] int knots_1;  // number of knots
  // basis function matrices
  matrix[N, knots_1[1]] Zs_1_1;
  // data for spline 2: s(x)
  int nb_2;  // number of bases
  array[nb_2] int knots_2;  // number of knots
  // basis function matrices
  matrix[N, knots_2[1]] Zs_2_1;
  vector[nb_2] prior_sds_2_df;
  vector[nb_2] prior_sds_2_loc;
  vector[nb_2] prior_sds_2_scale;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int<lower=1> Kp_sds_1_const;  // number of elements of sds_1 fixed by constant()
  vector[Kp_sds_1_const] prior_sds_1_const;  // constant values of sds_1
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
  vector[Ks] bs;  // unpenalized spline coefficients
  // parameters for spline 1: s(z)
  // standardized penalized spline coefficients
  vector[knots_1[1]] zs_1_1;
  // parameters for spline 2: s(x)
  // standardized penalized spline coefficients
  vector[knots_2[1]] zs_2_1;
  vector<lower=0>[nb_2] sds_2;  // SDs of penalized spline coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  vector<lower=0>[nb_1] sds_1 = prior_sds_1_const;  // SDs of penalized spline coefficients
  real lprior = 0;  // prior contributions to the log posterior
  // penalized spline coefficients of s(z)
  vector[knots_1[1]] s_1_1;
  // penalized spline coefficients of s(x)
  vector[knots_2[1]] s_2_1;
  // compute penalized spline coefficients of s(z)
  s_1_1 = sds_1[1] * zs_1_1;
  // compute penalized spline coefficients of s(x)
  s_2_1 = sds_2[1] * zs_2_1;
  lprior += student_t_lpdf(sds_2 | prior_sds_2_df, prior_sds_2_loc, prior_sds_2_scale)
    - student_t_lccdf(rep_vector(0, nb_2) | prior_sds_2_df, prior_sds_2_loc, prior_sds_2_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xs * bs + Zs_1_1 * s_1_1 + Zs_2_1 * s_2_1;
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zs_1_1);
  target += std_normal_lpdf(zs_2_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
