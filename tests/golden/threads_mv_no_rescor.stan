// generated with brmspy
functions {
  /* integer sequence of values
   * Args:
   *   start: starting integer
   *   end: ending integer
   * Returns:
   *   an integer sequence from start to end
   */
  array[] int sequence(int start, int end) {
    array[end - start + 1] int seq;
    for (n in 1:num_elements(seq)) {
      seq[n] = n + start - 1;
    }
    return seq;
  }
  // compute partial sums of the log-likelihood of response y
  real partial_log_lik_y_lpmf(array[] int seq, int start, int end, data vector Y_y,
                              data array[] int J_1, data vector Z_1_y_1, data matrix Xc_y,
                              vector b_y, real Intercept_y, real sigma_y, vector r_1_y_1) {
    real ptarget = 0;
    int N = end - start + 1;
    // initialize linear predictor term
    vector[N] mu_y = rep_vector(0.0, N);
    mu_y += Intercept_y;
    // add group-level effects to mu_y
    mu_y += r_1_y_1[J_1[start:end]] .* Z_1_y_1[start:end];
    ptarget += normal_id_glm_lpdf(Y_y[start:end] | Xc_y[start:end], mu_y, b_y, sigma_y);
    return ptarget;
  }
  // compute partial sums of the log-likelihood of response yc
  real partial_log_lik_yc_lpmf(array[] int seq, int start, int end, data array[] int Y_yc,
                               data matrix Xc_yc, vector b_yc, real Intercept_yc) {
    real ptarget = 0;
    int N = end - start + 1;
    ptarget += poisson_log_glm_lpmf(Y_yc[start:end] | Xc_yc[start:end], Intercept_yc, b_yc);
    return ptarget;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y;  // response variable
  int<lower=1> K_y;  // number of population-level effects
  matrix[N, K_y] X_y;  // population-level design matrix
  array[N] int Y_yc;  // response variable
  int<lower=1> K_yc;  // number of population-level effects
  matrix[N, K_yc] X_yc;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_y_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y_df;
  real prior_Intercept_y_loc;
  real prior_Intercept_y_scale;
  real prior_Intercept_yc_df;
  real prior_Intercept_yc_loc;
  real prior_Intercept_yc_scale;
  real prior_sigma_y_df;
  real prior_sigma_y_loc;
  real prior_sigma_y_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int<lower=1> grainsize;  // grainsize for threading
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y = K_y - 1;
  matrix[N, Kc_y] Xc_y;  // centered version of X_y without an intercept
  vector[Kc_y] means_X_y;  // column means of X_y before centering
  int Kc_yc = K_yc - 1;
  matrix[N, Kc_yc] Xc_yc;  // centered version of X_yc without an intercept
  vector[Kc_yc] means_X_yc;  // column means of X_yc before centering
  array[N] int seq = sequence(1, N);  // row indices sliced by reduce_sum
  for (i in 2:K_y) {
    means_X_y[i - 1] = mean(X_y[, i]);
    Xc_y[, i - 1] = X_y[, i] - means_X_y[i - 1];
  }
  for (i in 2:K_yc) {
    means_X_yc[i - 1] = mean(X_yc[, i]);
    Xc_yc[, i - 1] = X_yc[, i] - means_X_yc[i - 1];
  }
}
parameters {
  vector[Kc_y] b_y;  // regression coefficients
  real Intercept_y;  // temporary intercept for centered predictors
  real<lower=0> sigma_y;  // dispersion parameter
  vector[Kc_yc] b_yc;  // regression coefficients
  real Intercept_yc;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_y_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_y_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept_y | prior_Intercept_y_df, prior_Intercept_y_loc, prior_Intercept_y_scale);
  lprior += student_t_lpdf(Intercept_yc | prior_Intercept_yc_df, prior_Intercept_yc_loc, prior_Intercept_yc_scale);
  lprior += student_t_lpdf(sigma_y | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale)
    - student_t_lccdf(0 | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // likelihood of response y summed over slices of rows, in parallel with threads
    target += reduce_sum(partial_log_lik_y_lpmf, seq, grainsize, Y_y, J_1, Z_1_y_1, Xc_y, b_y,
                         Intercept_y, sigma_y, r_1_y_1);
    // likelihood of response yc summed over slices of rows, in parallel with threads
    target += reduce_sum(partial_log_lik_yc_lpmf, seq, grainsize, Y_yc, Xc_yc, b_yc, Intercept_yc);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y - dot_product(means_X_y, b_y);
  // actual population-level intercept
  real b_yc_Intercept = Intercept_yc - dot_product(means_X_yc, b_yc);
}
