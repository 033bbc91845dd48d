// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  int<lower=0> Kp_b_normal;  // number of b with a normal prior
  array[Kp_b_normal] int Jp_b_normal;
  vector[Kp_b_normal] prior_b_normal_loc;
  vector[Kp_b_normal] prior_b_normal_scale;
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  int<lower=1> Kp_b_const;  // number of elements of b fixed by constant()
  vector[Kp_b_const] prior_b_const;  // constant values of b
  array[Kp_b_const] int Jp_b_const;  // which elements are fixed
  int<lower=1> Kp_sd_1_const;  // number of elements of sd_1 fixed by constant()
  vector[Kp_sd_1_const] prior_sd_1_const;  // constant values of sd_1
  real prior_sigma_const;  // constant value of sigma
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
  real par_b_2;  // element 2 of b
  real Intercept;  // temporary intercept for centered predictors
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  vector[Kc] b;  // regression coefficients
  vector<lower=0>[M_1] sd_1 = prior_sd_1_const;  // group-level standard deviations (1 | g)
  real<lower=0> sigma = prior_sigma_const;  // dispersion parameter
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  b[Jp_b_const] = prior_b_const;
  b[2] = par_b_2;
  // compute actual group-level effects of (1 | g)
  r_1_1 = sd_1[1] * z_1[1];
  lprior += normal_lpdf(b[Jp_b_normal] | prior_b_normal_loc, prior_b_normal_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept;
    // add group-level effects to mu
    mu += r_1_1[J_1] .* Z_1_1;
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
