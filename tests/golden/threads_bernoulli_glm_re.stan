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
  // compute partial sums of the log-likelihood
  real partial_log_lik_lpmf(array[] int seq, int start, int end, data array[] int Y,
                            data array[] int J_1, data vector Z_1_1, data matrix Xc, vector b,
                            real Intercept, vector r_1_1) {
    real ptarget = 0;
    int N = end - start + 1;
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept;
    // add group-level effects to mu
    mu += r_1_1[J_1[start:end]] .* Z_1_1[start:end];
    ptarget += bernoulli_logit_glm_lpmf(Y[start:end] | Xc[start:end], mu, b);
    return ptarget;
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int<lower=1> grainsize;  // grainsize for threading
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  array[N] int seq = sequence(1, N);  // row indices sliced by reduce_sum
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // likelihood summed over slices of rows, in parallel with threads
    target += reduce_sum(partial_log_lik_lpmf, seq, grainsize, Y, J_1, Z_1_1, Xc, b, Intercept,
                         r_1_1);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
